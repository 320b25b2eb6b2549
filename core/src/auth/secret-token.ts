import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secret tokens (API tokens, webhook tokens): 32 random bytes as 64 lowercase hex characters;
 * the database keeps only their SHA-256 (hex); every comparison is constant-time on
 * equal-length buffers.
 */

export const TOKEN_BYTES = 32;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests of the same algorithm (different lengths: false). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend a comparison so the answer time does not depend on where the inputs differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Does `presented` hash to `storedHash`? Hashing first makes both sides 64 characters long, so
 * the comparison never leaks the length of what was presented. A null hash (webhook disabled)
 * never matches, but costs the same.
 */
export function tokenMatchesHash(presented: string, storedHash: string | null): boolean {
  const presentedHash = hashToken(presented);
  const ok = digestsEqual(presentedHash, storedHash ?? DUMMY_HASH);
  return ok && storedHash !== null;
}

/** A hash no token has (not 64 hex characters of a real digest): used to equalise timing. */
export const DUMMY_HASH = 'x'.repeat(64);
