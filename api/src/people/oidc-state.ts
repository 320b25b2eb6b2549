import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The short-lived cookie that carries a sign-in's state, nonce and PKCE verifier to the callback. */
export const OIDC_STATE_COOKIE = 'kipper_oidc';
export const OIDC_STATE_PATH = '/api/v1/session/oidc';
/** A sign-in at the provider must come back within this long. */
export const OIDC_STATE_TTL_SECONDS = 600;

export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Seals the pending sign-in with AES-256-GCM under a key derived from the client secret: every
 * api process can open it (no server-side store), the browser can neither read the PKCE
 * verifier nor change anything, and it stops working after OIDC_STATE_TTL_SECONDS.
 */
export class StateSealer {
  private readonly key: Buffer;

  constructor(clientSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', clientSecret, 'kipper-oidc-state', 'aes-256-gcm', 32));
  }

  seal(pending: PendingSignIn): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The pending sign-in, or null when the value was changed, sealed with another key or expired. */
  open(value: string | undefined, now = Date.now()): PendingSignIn | null {
    if (!value || value.length > 4096) return null;
    try {
      const raw = Buffer.from(value, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const pending = JSON.parse(text) as PendingSignIn;
      return typeof pending.expiresAt === 'number' && pending.expiresAt > now ? pending : null;
    } catch {
      return null;
    }
  }
}

export function stateCookie(value: string, secure: boolean): string {
  const parts = [`${OIDC_STATE_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Lax', `Path=${OIDC_STATE_PATH}`, `Max-Age=${OIDC_STATE_TTL_SECONDS}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedStateCookie(secure: boolean): string {
  return [`${OIDC_STATE_COOKIE}=`, 'HttpOnly', 'SameSite=Lax', `Path=${OIDC_STATE_PATH}`, 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}
