import { execFile } from 'node:child_process';
import { gitHostProblem, parseGitUrl, redactGitUrl, type GitProtocol } from '@kipper/core';

export class GitError extends Error {
  override name = 'GitError';
}

/** Which git URLs this worker may reach (KIPPER_GIT_PROTOCOLS, KIPPER_GIT_ALLOW_PRIVATE). */
export interface GitPolicy {
  protocols: readonly GitProtocol[];
  allowPrivate: boolean;
}

/**
 * Checked at connect time, not only when the app was created: the row may predate a stricter
 * setting, and a name may resolve elsewhere now than it did then.
 */
export async function assertGitReachable(url: string, policy: GitPolicy): Promise<void> {
  const parsed = parseGitUrl(url, policy.protocols);
  const problem = parsed.ok ? await gitHostProblem(parsed.host, policy.allowPrivate) : parsed.problem;
  if (problem) throw new GitError(`git URL ${redactGitUrl(url)} ${problem}`);
}

/**
 * The commit a branch points at, from `git ls-remote` (no clone). Null when the branch does
 * not exist. Prompts are disabled so a private repository without credentials fails fast.
 */
export async function lsRemoteHead(url: string, branch: string, policy: GitPolicy, timeoutMs = 30_000): Promise<string | null> {
  const ref = `refs/heads/${branch}`;
  const protocols = policy.protocols;
  await assertGitReachable(url, policy);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['ls-remote', '--', url, ref],
      {
        timeout: timeoutMs,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'true',
          SSH_ASKPASS: 'true',
          // git itself refuses other transports (ext::, fd::, …) and redirects to them.
          GIT_ALLOW_PROTOCOL: protocols.join(':'),
        },
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = gitFailure(error, String(stderr), timeoutMs).split(url).join(redactGitUrl(url));
          reject(new GitError(`git ls-remote ${redactGitUrl(url)} ${ref} failed: ${detail}`));
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

/** Git's common failures in a few words (`could not resolve host example.invalid`); else its last line. */
const KNOWN_FAILURES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/Could not resolve host:\s*([^\s']+)/i, (m) => `could not resolve host ${m[1]}`],
  [/Could not resolve hostname\s+([^\s:]+)/i, (m) => `could not resolve host ${m[1]}`],
  [/Failed to connect to (\S+) port (\d+)/i, (m) => `could not connect to ${m[1]} port ${m[2]}`],
  [/Connection refused/i, () => 'connection refused'],
  [/Connection timed out|Operation timed out/i, () => 'connection timed out'],
  [/could not read Username|Authentication failed|Permission denied \(publickey/i, () => 'the repository needs credentials Kipper does not have (use a public URL, or ssh with a deploy key the builder has)'],
  [/Repository not found|repository '[^']*' not found|does not appear to be a git repository/i, () => 'repository not found'],
];

function gitFailure(error: Error & { killed?: boolean; code?: unknown }, stderr: string, timeoutMs: number): string {
  if (error.killed) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (error.code === 'ENOENT') return 'git is not installed on the worker';
  for (const [pattern, describe] of KNOWN_FAILURES) {
    const match = pattern.exec(stderr);
    if (match) return describe(match);
  }
  const last = stderr.trim().split('\n').pop()?.replace(/^fatal:\s*/, '');
  return last || error.message;
}
