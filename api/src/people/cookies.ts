/** The console's session cookie. */
export const SESSION_COOKIE = 'kipper_session';
/** The header that must carry the session's CSRF token on every cookie-authenticated GraphQL request. */
export const CSRF_HEADER = 'x-kipper-csrf';

/** The value of one cookie in a Cookie header, or undefined (no cookie parser dependency for one cookie). */
export function cookieValue(header: unknown, name: string): string | undefined {
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `Set-Cookie` for the session: HttpOnly (no script reads it), SameSite=Lax (not sent on
 * cross-site POSTs), Path=/, Secure when Kipper's public URL is https.
 */
export function sessionCookie(value: string, options: { secure: boolean; expires: Date | null }): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Lax', 'Path=/'];
  if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(options: { secure: boolean }): string {
  return sessionCookie('', { secure: options.secure, expires: new Date(0) });
}
