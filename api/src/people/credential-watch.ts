import { describeError, type KipperServices, type Logger } from '@kipper/core';
import type { Credential } from './credentials.js';

/** How often open subscriptions have their credential checked again. */
export const RECHECK_MS = 2000;
/** graphql-ws's close code for a refused connection (the client stops retrying). */
export const FORBIDDEN_CLOSE = 4403;

interface Watched {
  credential: Credential;
  close(code: number, reason: string): void;
}

/**
 * Closes WebSocket connections whose token was revoked or expired, whose person was disabled or
 * whose session ended. One timer per process checks every open connection's credential in two
 * queries (tokens, sessions) every RECHECK_MS, whatever the number of connections: unlike a
 * revocation notice over Redis pub/sub it also catches expiry (which no one announces), changes
 * made straight in the database, and notices lost while a process was reconnecting to Redis.
 */
export class CredentialWatch {
  private readonly open = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly services: () => KipperServices,
    private readonly log: Logger,
    private readonly intervalMs = RECHECK_MS,
  ) {}

  /** Watches a connection until the returned function is called (on close). */
  add(credential: Credential, close: Watched['close']): () => void {
    if (credential.kind === 'operator') return () => undefined;
    const watched = { credential, close };
    this.open.add(watched);
    this.timer ??= setInterval(() => void this.check(), this.intervalMs).unref();
    return () => {
      this.open.delete(watched);
      if (this.open.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.open.clear();
  }

  private async check(): Promise<void> {
    if (this.running || this.open.size === 0) return;
    this.running = true;
    try {
      const watched = [...this.open];
      const tokenIds = [...new Set(watched.flatMap((w) => (w.credential.kind === 'token' ? [w.credential.tokenId] : [])))];
      const sessionIds = [...new Set(watched.flatMap((w) => (w.credential.kind === 'session' ? [w.credential.sessionId] : [])))];
      const services = this.services();
      const [tokens, sessions] = await Promise.all([services.tokens.stillValid(tokenIds), services.sessions.stillValid(sessionIds)]);
      for (const w of watched) {
        const c = w.credential;
        const valid = c.kind === 'token' ? tokens.has(c.tokenId) : c.kind === 'session' ? sessions.has(c.sessionId) : true;
        if (!valid) {
          this.open.delete(w);
          w.close(FORBIDDEN_CLOSE, 'Forbidden: credential revoked or expired');
        }
      }
    } catch (err) {
      // The database being away closes nobody: the next round checks again.
      this.log.warn(`re-checking subscription credentials: ${describeError(err, { stack: false })}`);
    } finally {
      this.running = false;
    }
  }
}
