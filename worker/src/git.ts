import { execFile } from 'node:child_process';
import { gitHostProblem, parseGitUrl, redactGitUrl, type GitProtocol } from '@kipper/core';

export class GitError extends Error {
  override name = 'GitError';
}

/**
 * The commit a branch points at, from `git ls-remote` (no clone). Null when the branch does
 * not exist. Prompts are disabled so a private repository without credentials fails fast.
 */
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
          const raw = String(stderr).trim().split('\n').pop() || error.message;
          const detail = raw.split(url).join(redactGitUrl(url));
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
