import type { DataSource } from 'typeorm';
import { ApiToken } from './api-token.entity.js';
import { digestsEqual, generateToken, hashToken } from './secret-token.js';

export const ADMIN_ACTOR = 'admin';

/** `Bearer <token>` → the token, or undefined for anything else. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * API tokens. Only SHA-256 hashes are kept (in `api_token`), compared in constant time;
 * KIPPER_ADMIN_TOKEN, when set, is accepted as the `admin` actor as well.
 */
export class AuthService {
  private readonly adminHash: string | undefined;

  constructor(private readonly deps: { dataSource: DataSource; adminToken: string | undefined }) {
    this.adminHash = deps.adminToken ? hashToken(deps.adminToken) : undefined;
  }

  /**
   * First start without KIPPER_ADMIN_TOKEN and without any token row: creates the admin token
   * and returns it (the only time it exists in plain text). Otherwise null. Several api
   * processes starting at once create one token between them (advisory lock).
   */
  async bootstrap(): Promise<string | null> {
    if (this.deps.adminToken) return null;
    return this.deps.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['kipper.api_token.bootstrap']);
      if ((await manager.count(ApiToken)) > 0) return null;
      const token = generateToken();
      await manager.save(manager.create(ApiToken, { name: ADMIN_ACTOR, tokenHash: hashToken(token) }));
      return token;
    });
  }

  /** The actor a bearer token stands for, or null when it is missing or unknown. */
  async authenticate(authorization: unknown): Promise<string | null> {
    const token = bearerToken(authorization);
    if (!token || token.length > 512) return null;
    const hash = hashToken(token);
    let actor: string | null = null;
    if (this.adminHash && digestsEqual(hash, this.adminHash)) actor = ADMIN_ACTOR;
    const rows = await this.deps.dataSource.getRepository(ApiToken).find({ select: { id: true, name: true, tokenHash: true } });
    for (const row of rows) {
      // Every row is compared, so the time taken does not depend on which one matches.
      if (digestsEqual(hash, row.tokenHash) && actor === null) actor = row.name;
    }
    return actor;
  }
}
