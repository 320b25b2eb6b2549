import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The webhook token's cryptography, pure and transport-free. A token is 32 random bytes as 64
 * lowercase hex characters; the database keeps its SHA-256 (hex); every comparison is
 * constant-time on equal-length buffers.
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

/** `sha256=<hex>` of the raw body bytes with the token as HMAC key, as GitHub sends it. */
export function githubSignature(token: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', token).update(rawBody).digest('hex')}`;
}

/**
 * Checks an `X-Hub-Signature-256` header against the raw body (never re-serialised JSON).
 * The header must be `sha256=` followed by 64 hex characters; case of the hex is ignored.
 */
export function githubSignatureMatches(token: string, rawBody: Buffer, header: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  const expected = createHmac('sha256', token).update(rawBody).digest();
  if (!match?.[1]) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}
