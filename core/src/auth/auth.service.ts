import type { DataSource } from 'typeorm';
import { ActorKind, type Principal } from '../access/principal.js';
import type { User } from '../people/user.entity.js';
import type { UserService } from '../people/user.service.js';
import { BOOTSTRAP_USER } from '../people/user.service.js';
import { ApiToken } from './api-token.entity.js';
import { digestsEqual, hashToken } from './secret-token.js';
import type { TokenService } from './token.service.js';

export const ADMIN_ACTOR = BOOTSTRAP_USER;

/** `Bearer <token>` → the token, or undefined for anything else. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The principal of a person acting as themself (session, personal token). */
export function personPrincipal(user: User, tokenId: string | null = null): Principal {
  return { kind: ActorKind.PERSON, actor: user.name, userId: user.id, instanceAdmin: user.instanceAdmin, tokenId, scope: null };
}

/** The principal of an API token: its owner, or `token:NAME` limited to its project (and environment). */
export function tokenPrincipal(token: ApiToken, owner: User | null): Principal {
  if (!token.projectId || !token.role) {
    return owner ? personPrincipal(owner, token.id) : { kind: ActorKind.TOKEN, actor: `token:${token.name}`, userId: null, instanceAdmin: false, tokenId: token.id, scope: null };
  }
  return {
    kind: ActorKind.TOKEN,
    actor: `token:${token.name}`,
    userId: owner?.id ?? null,
    instanceAdmin: false,
    tokenId: token.id,
    scope: { projectId: token.projectId, environmentId: token.environmentId, role: token.role },
  };
}

/**
 * Bearer credentials → principals. API tokens are found by their hash's unique index
 * (TokenService); KIPPER_ADMIN_TOKEN, when set, acts as the bootstrap person `admin`.
 */
export class AuthService {
  private readonly adminHash: string | undefined;
  private adminUser: User | undefined;

  constructor(private readonly deps: { dataSource: DataSource; adminToken: string | undefined; users: UserService; tokens: TokenService }) {
    this.adminHash = deps.adminToken ? hashToken(deps.adminToken) : undefined;
  }

  /**
   * Every start: makes sure the bootstrap person `admin` exists. First start without
   * KIPPER_ADMIN_TOKEN and without any token: creates a personal `kip_…` token of `admin` and
   * returns it (the only time it exists in plain text). Otherwise null. Several api processes
   * starting at once create one person and one token between them (advisory lock).
   */
  async bootstrap(): Promise<string | null> {
    return this.deps.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['kipper.api_token.bootstrap']);
      const admin = await this.deps.users.ensureBootstrapUser(manager);
      this.adminUser = admin;
      if (this.deps.adminToken || (await manager.count(ApiToken)) > 0) return null;
      const { value } = await this.deps.tokens.create({ name: ADMIN_ACTOR, owner: admin }, 'kipper', manager);
      return value;
    });
  }

  /** The principal a bearer header stands for, or null when it is missing, unknown, revoked or expired. */
  async authenticate(authorization: unknown): Promise<Principal | null> {
    const token = bearerToken(authorization);
    if (!token || token.length > 512) return null;
    if (this.adminHash && digestsEqual(hashToken(token), this.adminHash)) return this.adminPrincipal();
    const found = await this.deps.tokens.authenticate(token);
    return found ? tokenPrincipal(found.token, found.user) : null;
  }

  private async adminPrincipal(): Promise<Principal> {
    this.adminUser ??= (await this.deps.users.byName(ADMIN_ACTOR)) ?? undefined;
    // The operator's own credential: it stays the bootstrap person even if someone edited that row.
    return { kind: ActorKind.PERSON, actor: ADMIN_ACTOR, userId: this.adminUser?.id ?? null, instanceAdmin: true, tokenId: null, scope: null };
  }
}
