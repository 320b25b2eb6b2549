import { createHmac, timingSafeEqual } from 'node:crypto';

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
