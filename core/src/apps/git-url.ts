import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Transports a git app's URL may use; `KIPPER_GIT_PROTOCOLS` picks which are allowed. */
export const GIT_PROTOCOLS = ['https', 'http', 'ssh', 'git', 'file'] as const;
export type GitProtocol = (typeof GIT_PROTOCOLS)[number];
export const DEFAULT_GIT_PROTOCOLS: readonly GitProtocol[] = ['https', 'ssh', 'git'];

/** A git URL Kipper takes: `url` is the normalised form, the only one stored and handed to git. */
export type GitUrl = { ok: true; url: string; protocol: GitProtocol; host: string | null } | { ok: false; problem: string };

const SCP_LIKE = /^([\w.-]+)@([\w.-]+):([\w./~-]+)$/;
/** A DNS name or an IPv4 address; IPv6 literals arrive as `[…]`. Nothing git could read as an option or an escape. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;
const USER = /^[A-Za-z0-9._-]+$/;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Parses, checks and re-serialises a git URL. The worker hands these URLs to `git ls-remote`
 * and the builder, so besides the transport it refuses what git would read as an option (a host
 * or user starting with `-`, also when percent-encoded), credentials (they would end up in the
 * database, the audit log and the build Job's arguments), control characters (a forged second
 * line in `kip app status`) and URLs with no host.
 */
export function parseGitUrl(value: string, allowed: readonly GitProtocol[]): GitUrl {
  const refuse = (problem: string): GitUrl => ({ ok: false, problem });
  const allowedText = allowed.map((p) => (p === 'ssh' ? 'ssh://… or git@host:path' : `${p}://…`)).join(', ');
  if (value.length > 500) return refuse('is longer than 500 characters');
  if (CONTROL.test(value) || /\s/.test(value)) return refuse('contains spaces or control characters');
  const scp = SCP_LIKE.exec(value);
  if (scp) {
    if (!allowed.includes('ssh')) return refuse(`uses ssh, which this Kipper does not allow (allowed: ${allowedText})`);
    const [, user = '', host = '', path = ''] = scp;
    if (user.startsWith('-') || host.startsWith('-') || path.startsWith('-')) return refuse('has a user, host or path starting with "-"');
    if (!HOST.test(host)) return refuse('has no valid host');
    return { ok: true, url: value, protocol: 'ssh', host };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse(`is not a URL: use ${allowedText}`);
  }
  const protocol = url.protocol.slice(0, -1) as GitProtocol;
  if (!GIT_PROTOCOLS.includes(protocol) || !allowed.includes(protocol)) return refuse(`uses ${url.protocol}// which this Kipper does not allow (allowed: ${allowedText})`);
  if (url.password || (url.username && protocol !== 'ssh')) {
    return refuse('carries credentials: Kipper keeps no git credentials in URLs (they would be stored and shown); use a public URL, or ssh with a deploy key the builder has');
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return refuse('has a path that does not decode');
  }
  if (CONTROL.test(path)) return refuse('contains control characters');
  if (url.search || url.hash) return refuse('has a query or fragment, which git does not use');
  if (protocol === 'file') return path.length > 1 ? { ok: true, url: url.toString(), protocol, host: null } : refuse('names no repository path');
  // `https:///x/y` parses as host x: the authority the user wrote is empty.
  if (/^[a-z+]+:\/\/\//i.test(value) || !url.hostname) return refuse('has no host');
  if (!HOST.test(url.hostname) || url.hostname.startsWith('-')) return refuse('has no valid host (a host starting with "-" or holding escapes is refused)');
  if (url.username && (!USER.test(url.username) || url.username.startsWith('-'))) return refuse('has a user that is not a plain name');
  if (path.length <= 1) return refuse('names no repository path');
  return { ok: true, url: url.toString(), protocol, host: url.hostname.replace(/^\[|\]$/g, '') };
}

/** Why Kipper refuses a git URL, or null when it takes it (see parseGitUrl). */
export function gitUrlProblem(value: string, allowed: readonly GitProtocol[]): string | null {
  const parsed = parseGitUrl(value, allowed);
  return parsed.ok ? null : parsed.problem;
}

/** A git URL without user:password, for messages and logs. */
export function redactGitUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]+@/, '//');
  }
}

/** Loopback, link-local (cloud metadata at 169.254.169.254), private, shared and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
  }
  return false;
}

/**
 * Why a git host must not be reached, or null. A host is refused when it is, or resolves to, a
 * loopback, link-local, private or unspecified address: git URLs are given by users, and the
 * worker and the builder would otherwise probe Kipper's own network (its Redis, the cloud's
 * metadata service). `allowPrivate` (KIPPER_GIT_ALLOW_PRIVATE) is for in-house git servers.
 * A name that does not resolve is left to git, which will fail on it.
 */
export async function gitHostProblem(host: string | null, allowPrivate: boolean, resolve: typeof lookup = lookup): Promise<string | null> {
  return privateHostProblem(host, allowPrivate, 'KIPPER_GIT_ALLOW_PRIVATE', resolve);
}

/**
 * Why a host given by a user must not be reached, or null (see gitHostProblem); `setting` is
 * the variable that allows it (`KIPPER_GIT_ALLOW_PRIVATE`, `KIPPER_FEEDBACK_ALLOW_PRIVATE`,
 * `KIPPER_NOTIFY_ALLOW_PRIVATE`), `doing` what Kipper would do there.
 */
export async function privateHostProblem(
  host: string | null,
  allowPrivate: boolean,
  setting: string,
  resolve: typeof lookup = lookup,
  doing = 'fetch from',
): Promise<string | null> {
  if (host === null || allowPrivate) return null;
  const refused = (address: string) =>
    `points at ${address}, a loopback, link-local or private address: Kipper does not ${doing} its own network unless ${setting}=true`;
  if (host.toLowerCase() === 'localhost' || host.toLowerCase().endsWith('.localhost')) return refused(host);
  if (isIP(host)) return isPrivateAddress(host) ? refused(host) : null;
  let addresses: { address: string }[];
  try {
    addresses = await resolve(host, { all: true });
  } catch {
    return null;
  }
  const inside = addresses.find((a) => isPrivateAddress(a.address));
  return inside ? refused(`${host} (${inside.address})`) : null;
}
