/** Transports a git app's URL may use; `KIPPER_GIT_PROTOCOLS` picks which are allowed. */
export const GIT_PROTOCOLS = ['https', 'http', 'ssh', 'git', 'file'] as const;
export type GitProtocol = (typeof GIT_PROTOCOLS)[number];
export const DEFAULT_GIT_PROTOCOLS: readonly GitProtocol[] = ['https', 'ssh', 'git'];

const SCP_LIKE = /^([\w.-]+)@([\w.-]+):([\w./~-]+)$/;

/**
 * Why Kipper refuses a git URL, or null when it takes it. The worker hands these URLs to
 * `git ls-remote` and the builder, so besides the transport it refuses what git would read as
 * an option (a host starting with `-`) and credentials, which would end up in the database, the
 * audit log and the build Job's arguments.
 */
export function gitUrlProblem(value: string, allowed: readonly GitProtocol[]): string | null {
  const allowedText = allowed.map((p) => (p === 'ssh' ? 'ssh://… or git@host:path' : `${p}://…`)).join(', ');
  if (value.length > 500) return 'is longer than 500 characters';
  const scp = SCP_LIKE.exec(value);
  if (scp) {
    if (!allowed.includes('ssh')) return `uses ssh, which this Kipper does not allow (allowed: ${allowedText})`;
    return scp[1]!.startsWith('-') || scp[2]!.startsWith('-') ? 'has a user or host starting with "-"' : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a URL: use ${allowedText}`;
  }
  const protocol = url.protocol.slice(0, -1) as GitProtocol;
  if (!GIT_PROTOCOLS.includes(protocol) || !allowed.includes(protocol)) return `uses ${url.protocol}// which this Kipper does not allow (allowed: ${allowedText})`;
  if (url.password || (url.username && protocol !== 'ssh')) {
    return 'carries credentials: Kipper keeps no git credentials in URLs (they would be stored and shown); use a public URL, or ssh with a deploy key the builder has';
  }
  if (protocol === 'file') return url.pathname.length > 1 ? null : 'names no repository path';
  if (!url.hostname || url.hostname.startsWith('-') || url.username.startsWith('-')) return 'has no host, or a user or host starting with "-"';
  return url.pathname.length > 1 ? null : 'names no repository path';
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
