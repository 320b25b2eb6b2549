import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { ProjectRole } from '../access/principal.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { User } from '../people/user.entity.js';
import type { Environment } from '../projects/environment.entity.js';
import type { Project } from '../projects/project.entity.js';
import { ApiToken } from './api-token.entity.js';
import { digestsEqual, hashToken } from './secret-token.js';

/** Every API token starts with this, so secret scanners (and people) recognise a leaked one. */
export const TOKEN_PREFIX = 'kip_';
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._:@/-]{0,99}$/;
/** lastUsedAt is written at most this often per token (not on every request). */
const TOUCH_MS = 60 * 1000;

/** `kip_` + 32 random bytes (base64url): 256 bits, so one SHA-256 is a safe way to store it. */
export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export interface CreateTokenInput {
  name: string;
  owner: User;
  project?: Project | null;
  environment?: Environment | null;
  role?: ProjectRole | null;
  expiresAt?: Date | null;
}

export interface AuthenticatedToken {
  token: ApiToken;
  user: User | null;
}

function invalid(field: string, message: string): KipperError {
  return new KipperError(ErrorCode.VALIDATION_FAILED, message, { field });
}

/** API tokens: created (shown once), listed (never the value), revoked; found by the hash's unique index. */
export class TokenService {
  constructor(private readonly deps: { dataSource: DataSource; audit: AuditService; now?: () => number }) {}

  private get repo() {
    return this.deps.dataSource.getRepository(ApiToken);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async create(input: CreateTokenInput, actor: string, manager?: EntityManager): Promise<{ token: ApiToken; value: string }> {
    if (!TOKEN_NAME.test(input.name)) throw invalid('name', 'A token name is 1 to 100 letters, digits, spaces or . _ : @ / -, starting with a letter or digit');
    if (input.environment && !input.project) throw invalid('environment', 'An environment scope needs a project (--project)');
    if (input.role && !input.project) throw invalid('role', 'A role limits a project token: give --project too (a token without one acts as you)');
    if (input.expiresAt && input.expiresAt.getTime() <= this.now()) throw invalid('expiresAt', 'The expiry must be in the future');
    const value = generateApiToken();
    const save = async (m: EntityManager) => {
      if (await m.existsBy(ApiToken, { userId: input.owner.id, name: input.name })) {
        throw new KipperError(ErrorCode.TOKEN_EXISTS, `You already have a token named "${input.name}" (kip token list; kip token revoke "${input.name}")`);
      }
      const token = await m.save(
        m.create(ApiToken, {
          name: input.name,
          tokenHash: hashToken(value),
          userId: input.owner.id,
          projectId: input.project?.id ?? null,
          environmentId: input.environment?.id ?? null,
          role: input.project ? (input.role ?? ProjectRole.DEPLOYER) : null,
          expiresAt: input.expiresAt ?? null,
        }),
      );
      const scope = input.project ? `${input.project.name}${input.environment ? `/${input.environment.name}` : ''}` : null;
      await this.deps.audit.record(actor, 'token.create', `token:${input.name}`, { owner: input.owner.name, scope, role: token.role, expiresAt: token.expiresAt }, m);
      return token;
    };
    const token = manager ? await save(manager) : await this.deps.dataSource.transaction(save);
    return { token, value };
  }

  /** Tokens with their owner, scope names and dates; of one person, or all (instance admins). */
  async list(filter: { userId?: string } = {}): Promise<ApiToken[]> {
    return this.repo.find({
      where: filter.userId ? { userId: filter.userId } : {},
      relations: { user: true, project: true, environment: true },
      order: { createdAt: 'DESC' },
    });
  }

  /** Revokes a person's token by name (TOKEN_NOT_FOUND when they have none by that name). Takes effect at once. */
  async revoke(owner: User, name: string, actor: string): Promise<ApiToken> {
    return this.deps.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(ApiToken, { where: { userId: owner.id, name }, lock: { mode: 'pessimistic_write' } });
      if (!token) throw new KipperError(ErrorCode.TOKEN_NOT_FOUND, `${owner.name} has no token named "${name}" (kip token list)`);
      if (!token.revokedAt) {
        token.revokedAt = new Date(this.now());
        await manager.update(ApiToken, { id: token.id }, { revokedAt: token.revokedAt });
        await this.deps.audit.record(actor, 'token.revoke', `token:${name}`, { owner: owner.name }, manager);
      }
      return token;
    });
  }

  /**
   * The live token a presented value is, with its owner; null when unknown, revoked, expired or
   * its owner disabled. One lookup by the hash's unique index, then a constant-time comparison.
   */
  async authenticate(value: string): Promise<AuthenticatedToken | null> {
    if (value.length > 512) return null;
    const hash = hashToken(value);
    const token = await this.repo.findOne({ where: { tokenHash: hash }, relations: { user: true } });
    if (!token || !digestsEqual(hash, token.tokenHash)) return null;
    if (!this.usable(token)) return null;
    this.touch(token);
    return { token, user: token.user };
  }

  usable(token: ApiToken): boolean {
    const now = this.now();
    if (token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= now)) return false;
    return !token.user?.disabledAt;
  }

  /** Which of these tokens still work (open subscriptions re-check every few seconds). */
  async stillValid(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.deps.dataSource.query(
      `SELECT t.id FROM api_token t LEFT JOIN kipper_user u ON u.id = t.user_id
        WHERE t.id = ANY($1::uuid[]) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL`,
      [ids],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  private touch(token: ApiToken): void {
    if (token.lastUsedAt && this.now() - token.lastUsedAt.getTime() < TOUCH_MS) return;
    // Best effort and off the request's path: "last used" is for people, to a minute.
    this.repo.update({ id: token.id }, { lastUsedAt: new Date(this.now()) }).catch(() => undefined);
  }
}
