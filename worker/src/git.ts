import { execFile } from 'node:child_process';

export class GitError extends Error {
  override name = 'GitError';
}

/**
 * The commit a branch points at, from `git ls-remote` (no clone). Null when the branch does
 * not exist. Prompts are disabled so a private repository without credentials fails fast.
 */
export function lsRemoteHead(url: string, branch: string, timeoutMs = 30_000): Promise<string | null> {
  const ref = `refs/heads/${branch}`;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['ls-remote', '--', url, ref],
      {
        timeout: timeoutMs,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' },
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const raw = String(stderr).trim().split('\n').pop() || error.message;
          const detail = raw.split(url).join(redactUrl(url));
          reject(new GitError(`git ls-remote ${redactUrl(url)} ${ref} failed: ${detail}`));
          return;
        }
        const line = String(stdout)
          .split('\n')
          .map((l) => l.split('\t'))
          .find(([, name]) => name === ref);
        resolve(line?.[0]?.trim() || null);
      },
    );
  });
}

/** A git URL without user:password, for messages and logs. */
export function redactUrl(url: string): string {
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
