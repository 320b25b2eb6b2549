import { createHmac, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { digestsEqual, hashToken } from '../auth/secret-token.js';
import { Session } from './session.entity.js';
import { User } from './user.entity.js';

/** How long a session lasts without activity, and at most. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often (not on every request). */
const TOUCH_MS = 60 * 1000;

export interface StartedSession {
  id: string;
  /** The cookie value: only here in plain text; the row keeps its SHA-256. */
  cookieValue: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface LiveSession {
  session: Session;
  user: User;
  csrfToken: string;
}

/**
 * The CSRF token of a session, derived from its cookie value: the console gets it from
 * POST/GET /api/v1/session and sends it back as X-Kipper-CSRF; a page on another site can make the
 * browser send the cookie but can never read this value.
 */
export function csrfTokenOf(cookieValue: string): string {
  return createHmac('sha256', cookieValue).update('kipper-csrf').digest('base64url');
}

/** Console sessions: started by a password sign-in (or single sign-on), looked up by cookie, ended by sign-out. */
export class SessionService {
  constructor(private readonly deps: { dataSource: DataSource; now?: () => number }) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private get repo() {
    return this.deps.dataSource.getRepository(Session);
  }

  async start(userId: string): Promise<StartedSession> {
    const cookieValue = randomBytes(32).toString('base64url');
    const csrfToken = csrfTokenOf(cookieValue);
    const expiresAt = new Date(this.now() + SESSION_IDLE_MS);
    const row = await this.repo.save(this.repo.create({ cookieHash: hashToken(cookieValue), csrfHash: hashToken(csrfToken), userId, expiresAt, lastSeenAt: new Date(this.now()) }));
    return { id: row.id, cookieValue, csrfToken, expiresAt };
  }

  /** The live session of a cookie value (not expired, its person not disabled), or null. Slides the idle expiry. */
  async lookup(cookieValue: unknown): Promise<LiveSession | null> {
    if (typeof cookieValue !== 'string' || cookieValue.length === 0 || cookieValue.length > 200) return null;
    const hash = hashToken(cookieValue);
    const session = await this.repo.findOne({ where: { cookieHash: hash }, relations: { user: true } });
    if (!session || !digestsEqual(hash, session.cookieHash)) return null;
    const now = this.now();
    if (session.expiresAt.getTime() <= now || session.createdAt.getTime() + SESSION_MAX_MS <= now || session.user.disabledAt) return null;
    if (now - session.lastSeenAt.getTime() > TOUCH_MS) {
      const expiresAt = new Date(Math.min(now + SESSION_IDLE_MS, session.createdAt.getTime() + SESSION_MAX_MS));
      await this.repo.update({ id: session.id }, { lastSeenAt: new Date(now), expiresAt });
    }
    return { session, user: session.user, csrfToken: csrfTokenOf(cookieValue) };
  }

  /** Is `presented` the CSRF token of this session? Constant time. */
  csrfMatches(session: Session, presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length > 200) return false;
    return digestsEqual(hashToken(presented), session.csrfHash);
  }

  /** Ends the session of a cookie value; whether there was one. */
  async end(cookieValue: string): Promise<boolean> {
    const result = await this.repo.delete({ cookieHash: hashToken(cookieValue) });
    return (result.affected ?? 0) > 0;
  }

  /** Which of these sessions still hold (open subscriptions re-check every few seconds). */
  async stillValid(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.deps.dataSource.query(
      `SELECT s.id FROM session s JOIN kipper_user u ON u.id = s.user_id
        WHERE s.id = ANY($1::uuid[]) AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [ids],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }
}
