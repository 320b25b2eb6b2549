import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitHostProblem, parseGitUrl, redactGitUrl, type GitProtocol } from '../apps/git-url.js';

export interface CommitLine {
  sha: string;
  subject: string;
}

/** The commits a promotion brings, or why they cannot be listed. */
export type CommitsBetween = { commits: CommitLine[]; note: null } | { commits: null; note: string };

const MAX_COMMITS = 50;

function git(args: string[], cwd: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' } }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/**
 * `git log from..to` of the app's repository: a bare, blob-less clone in a temporary directory
 * (no file contents fetched), removed afterwards. The URL passes the same checks as builds
 * (allowed protocols, no private hosts unless allowed). Never throws: a repository that cannot
 * be reached, or commits it does not have, give a note saying so.
 */
export async function commitsBetween(
  gitUrl: string,
  from: string,
  to: string,
  policy: { protocols: readonly GitProtocol[]; allowPrivate: boolean },
  timeoutMs = 20_000,
): Promise<CommitsBetween> {
  const parsed = parseGitUrl(gitUrl, policy.protocols);
  const problem = parsed.ok ? await gitHostProblem(parsed.host, policy.allowPrivate) : parsed.problem;
  if (problem) return { commits: null, note: `commits not listed: git URL ${redactGitUrl(gitUrl)} ${problem}` };
  const dir = await mkdtemp(join(tmpdir(), 'kipper-preview-'));
  try {
    await git(['clone', '--bare', '--filter=blob:none', '--no-tags', '--quiet', '--', gitUrl, dir], undefined, timeoutMs);
    const out = await git(['log', `--max-count=${MAX_COMMITS}`, '--format=%H%x09%s', `${from}..${to}`, '--'], dir, timeoutMs);
    const commits = out
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const tab = line.indexOf('\t');
        return { sha: line.slice(0, tab), subject: line.slice(tab + 1) };
      });
    return { commits, note: null };
  } catch {
    return { commits: null, note: `commits not listed: ${redactGitUrl(gitUrl)} could not be read, or does not have ${from.slice(0, 7)} and ${to.slice(0, 7)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
