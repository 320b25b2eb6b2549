import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bare repository on local disk (`file://` URL) that git apps build from, and a clone that pushes to it. */
export interface GitRepo {
  url: string;
  /** Makes an empty commit on the branch, pushes it, returns its sha. */
  commit(message: string): string;
  remove(): void;
}

export function createGitRepo(branch = 'main'): GitRepo {
  const root = mkdtempSync(join(tmpdir(), 'kipper-git-'));
  const bare = join(root, 'origin.git');
  const work = join(root, 'work');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' },
    }).trim();
  git(root, 'init', '--quiet', '--bare', `--initial-branch=${branch}`, bare);
  git(root, 'init', '--quiet', `--initial-branch=${branch}`, work);
  git(work, 'remote', 'add', 'origin', bare);
  return {
    url: `file://${bare}`,
    commit(message) {
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
