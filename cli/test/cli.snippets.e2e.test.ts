import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip, until } from './support/kip-process.js';

/**
 * The CI snippets exactly as `kip app webhook enable --ci github|gitlab [--wait]` prints them,
 * run by bash (and GitLab's also by sh, dash here) as a runner runs them, against a real Kipper:
 * PostgreSQL, Redis, the worker and the Kubernetes simulator. The shell is taken out of the
 * printed YAML (GitHub's `run:` and `env:`, GitLab's `script:`), GitHub's `${{ }}` expressions
 * are replaced as Actions does before a step starts, and the runner's variables are set.
 */
const P = ['--project', 'acme', '--environment', 'test'];
const SHA = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

let kipper: RunningKipper;
let configHome: string;

const kip = (args: string[]) => runKip(kipper, configHome, args);

interface Printed {
  token: string;
  yaml: string;
}

/** `kip app webhook enable api --ci <ci> [--wait]`: a new token, and the snippet under its heading. */
async function enable(ci: 'github' | 'gitlab', wait = false): Promise<Printed> {
  const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', ci, ...(wait ? ['--wait'] : [])]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const token = r.lines[2]!.slice('Secret token: '.length);
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  const heading = r.lines.findIndex((line) => line.endsWith('snippet (.gitlab-ci.yml):') || line.endsWith('(.github/workflows/deploy.yml):') || line.includes('waiting for the rollout:'));
  expect(heading).toBe(3);
  const end = r.lines.findIndex((line, i) => i > heading && (line === '' || line.startsWith('Add --wait') || line.startsWith('The token was regenerated')));
  return { token, yaml: r.lines.slice(heading + 1, end === -1 ? undefined : end).join('\n') };
}

/** The content of a YAML literal block scalar (`key: |` or `- |`) whose header matches. */
function blockScalar(yaml: string, header: RegExp): string {
  const lines = yaml.split('\n');
  const at = lines.findIndex((line) => header.test(line));
  if (at === -1) throw new Error(`no block ${header} in\n${yaml}`);
  const parent = lines[at]!.search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() !== '' && line.search(/\S/) <= parent) break;
    body.push(line);
  }
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => line.search(/\S/)));
  return body.map((line) => line.slice(indent)).join('\n') + '\n';
}

/** The `env:` mapping of a GitHub Actions step. */
function stepEnv(yaml: string): Record<string, string> {
  const env: Record<string, string> = {};
  const lines = yaml.split('\n');
  const at = lines.indexOf('  env:');
  for (const line of at === -1 ? [] : lines.slice(at + 1)) {
    const entry = /^ {4}([A-Z_][A-Z0-9_]*): (.*)$/.exec(line);
    if (!entry) break;
    env[entry[1]!] = entry[2]!;
  }
  return env;
}

/** What GitHub Actions does with `${{ expr }}` before the step runs: textual substitution. */
function expressions(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const value = values[expr];
    if (value === undefined) throw new Error(`the snippet uses an expression the test does not know: ${expr}`);
    return value;
  });
}

interface ShellRun {
  code: number | null;
  out: string;
  err: string;
}

async function runShell(shell: string[], script: string, env: Record<string, string>): Promise<ShellRun> {
  const dir = await mkdtemp(join(tmpdir(), 'kip-ci-'));
  const file = join(dir, 'step.sh');
  await writeFile(file, script);
  try {
    return await new Promise<ShellRun>((resolve, reject) => {
      const child = spawn(shell[0]!, [...shell.slice(1), file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `shell: bash` on a GitHub runner runs `bash --noprofile --norc -eo pipefail {0}`. */
const GITHUB_BASH = ['bash', '--noprofile', '--norc', '-eo', 'pipefail'];

/** A GitHub Actions step as the runner runs it, for repository `repository` at commit `sha`. */
function runGithubStep(printed: Printed, o: { repository: string; sha: string; token?: string; env?: Record<string, string> }): Promise<ShellRun> {
  expect(printed.yaml).toMatch(/^- name: Deploy to Kipper\n/);
  expect(printed.yaml).toContain('\n  shell: bash\n');
  const yaml = expressions(printed.yaml, { 'secrets.KIPPER_WEBHOOK_TOKEN': o.token ?? printed.token, 'github.repository': o.repository, 'github.sha': o.sha });
  const script = blockScalar(yaml, /^ {2}run: \|$/);
  return runShell(GITHUB_BASH, script, { GITHUB_REPOSITORY: o.repository, GITHUB_SHA: o.sha, ...stepEnv(yaml), ...o.env });
}

/** A GitLab CI job's script as the runner runs it, with its CI/CD variables. */
function runGitlabJob(printed: Printed, shell: string[], o: { image: string; sha: string; token?: string; env?: Record<string, string> }): Promise<ShellRun> {
  expect(printed.yaml).toMatch(/^deploy:\n {2}stage: deploy\n {2}script:\n {4}- \|\n/);
  const script = blockScalar(printed.yaml, /^ {4}- \|$/);
  return runShell(shell, script, {
    KIPPER_WEBHOOK_TOKEN: o.token ?? printed.token,
    CI_REGISTRY_IMAGE: o.image,
    CI_COMMIT_SHA: o.sha,
    CI_COMMIT_SHORT_SHA: o.sha.slice(0, 8),
    ...o.env,
  });
}

interface HistoryRevision {
  number: number;
  image: string;
  status: string;
  current: boolean;
  failureReason: string | null;
}

async function history(): Promise<HistoryRevision[]> {
  const r = await kip(['app', 'history', 'api', ...P, '--limit', '100', '-o', 'json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { revisions: HistoryRevision[] }).revisions;
}

const revision = async (number: number) => (await history()).find((r) => r.number === number);
const untilStatus = (number: number, status: string) =>
  until(`revision #${number} ${status}`, async () => ((await revision(number))?.status === status ? true : undefined), 30_000);

/** The 202 answer a snippet printed (its first line that is JSON). */
function answerOf(out: string): { revision: { number: number; status: string; image: string; commit: string }; statusUrl: string } {
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON answer in ${out}`);
  return JSON.parse(line) as ReturnType<typeof answerOf>;
}

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-snippets-'));
  // sim-fail images fail after the progress deadline (5 s); sim-slow pods take 30 s to be ready.
  kipper = await startKipper({ worker: true, env: { KIPPER_PROGRESS_DEADLINE_SECONDS: '5' }, simulator: { slowReadyMs: 30_000 } });
  expect((await kip(['project', 'create', 'acme'])).code).toBe(0);
  const deploy = await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:v1', '--port', '3000', ...P, '--wait']);
  expect(deploy.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(configHome, { recursive: true, force: true });
});

describe('the GitHub Actions step', () => {
  it('fails with a wrong token, and nothing is deployed', async () => {
    const printed = await enable('github');
    const before = await history();
    const run = await runGithubStep(printed, { repository: 'Acme/My-App', sha: SHA, token: 'f'.repeat(64) });
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('"code":"UNAUTHENTICATED"');
    expect(run.err).toContain('401');
    expect(await history()).toEqual(before);
  });

  it('deploys the image of a repository with capitals, lower-cased', async () => {
    const printed = await enable('github');
    const run = await runGithubStep(printed, { repository: 'Acme/My-App', sha: SHA });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const answer = answerOf(run.out);
    expect(answer.revision).toMatchObject({ status: 'queued', image: `ghcr.io/acme/my-app:${SHA}`, commit: SHA });
    await untilStatus(answer.revision.number, 'live');
  });
});

describe('the GitLab CI job', () => {
  it('fails with a wrong token under bash and sh, and nothing is deployed', async () => {
    const printed = await enable('gitlab');
    const before = await history();
    for (const shell of [['bash', '-e'], ['sh', '-e']]) {
      const run = await runGitlabJob(printed, shell, { image: 'registry.gitlab.com/Acme/My-App', sha: SHA, token: '0'.repeat(64) });
      expect(run.code, shell[0]).not.toBe(0);
      expect(run.out, shell[0]).toContain('"code":"UNAUTHENTICATED"');
    }
    expect(await history()).toEqual(before);
  });

  it('deploys the image of a project path with capitals, lower-cased, under bash and sh', async () => {
    const printed = await enable('gitlab');
    for (const [shell, sha] of [
      [['bash', '-e'], 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
      [['sh', '-e'], 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
    ] as const) {
      const run = await runGitlabJob(printed, [...shell], { image: 'registry.gitlab.com/Acme/My-App', sha });
      expect(run.err, shell[0]).toBe('');
      expect(run.code, shell[0]).toBe(0);
      const answer = answerOf(run.out);
      expect(answer.revision).toMatchObject({ image: `registry.gitlab.com/acme/my-app:${sha.slice(0, 8)}`, commit: sha.slice(0, 8) });
      await untilStatus(answer.revision.number, 'live');
    }
  });
});

describe('the waiting variants', () => {
  it('fail at once with a wrong token', async () => {
    const before = await history();
    const github = await runGithubStep(await enable('github', true), { repository: 'Acme/My-App', sha: SHA, token: 'f'.repeat(64) });
    expect(github.code).not.toBe(0);
    expect(github.out).toContain('"code":"UNAUTHENTICATED"');
    const gitlab = await runGitlabJob(await enable('gitlab', true), ['sh', '-e'], { image: 'registry.gitlab.com/acme/my-app', sha: SHA, token: 'f'.repeat(64) });
    expect(gitlab.code).not.toBe(0);
    expect(gitlab.out).toContain('"code":"UNAUTHENTICATED"');
    expect(await history()).toEqual(before);
  });

  it('GitHub: exits 0 once the revision is live, and at once when the image already runs', async () => {
    const printed = await enable('github', true);
    const sha = 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const run = await runGithubStep(printed, { repository: 'Acme/My-App', sha });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const answer = answerOf(run.out);
    expect(answer.revision.image).toBe(`ghcr.io/acme/my-app:${sha}`);
    expect(run.out.trimEnd().split('\n').at(-1)).toBe(`Kipper: revision #${answer.revision.number} is live`);
    expect(await revision(answer.revision.number)).toMatchObject({ status: 'live', current: true });

    // A re-run of the job: the image is live already (200), nothing new is deployed.
    const again = await runGithubStep(printed, { repository: 'Acme/My-App', sha });
    expect(again.code).toBe(0);
    expect(again.out).toContain('"outcome":"already-live"');
    expect(again.out.trimEnd().split('\n').at(-1)).toBe(`Kipper: revision #${answer.revision.number} is live`);
  });

  it('GitLab: exits 1 with the reason when the rollout fails (bash and sh)', async () => {
    const printed = await enable('gitlab', true);
    for (const [shell, sha] of [
      [['bash', '-e'], 'd1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
      [['sh', '-e'], 'e1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
    ] as const) {
      const run = await runGitlabJob(printed, [...shell], { image: 'registry.gitlab.com/Acme/Sim-Fail', sha });
      expect(run.code, shell[0]).toBe(1);
      const answer = answerOf(run.out);
      expect(answer.revision.image).toBe(`registry.gitlab.com/acme/sim-fail:${sha.slice(0, 8)}`);
      const failed = await revision(answer.revision.number);
      expect(failed).toMatchObject({ status: 'failed', failureReason: expect.any(String) });
      expect(run.out.trimEnd().split('\n').at(-1)).toBe(`Kipper: revision #${answer.revision.number} failed: ${failed!.failureReason}`);
    }
  }, 90_000);

  it('exits 1 when the revision is still undecided after KIPPER_WAIT_SECONDS', async () => {
    const printed = await enable('github', true);
    const run = await runGithubStep(printed, { repository: 'Acme/Sim-Slow', sha: 'f1b2c3d4e5f60718293a4b5c6d7e8f9012345678', env: { KIPPER_WAIT_SECONDS: '0' } });
    expect(run.code).toBe(1);
    const answer = answerOf(run.out);
    expect(run.out.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^Kipper: revision #${answer.revision.number} is still (queued|rolling_out) after 0 s$`));
  });

  it('a revision superseded by a newer push exits 0 and says the newer one decides', async () => {
    // Both steps use the current token (the CI secret): a snippet's text does not depend on it.
    const plain = await enable('github');
    const printed = await enable('github', true);
    const slow = runGithubStep(printed, { repository: 'Acme/Sim-Slow', sha: '11b2c3d4e5f60718293a4b5c6d7e8f9012345678' });
    const rolling = await until(
      'the slow revision rolling out',
      async () => (await history()).find((r) => r.image === 'ghcr.io/acme/sim-slow:11b2c3d4e5f60718293a4b5c6d7e8f9012345678' && r.status === 'rolling_out'),
      30_000,
    );
    const newer = await runGithubStep(plain, { repository: 'Acme/My-App', sha: '21b2c3d4e5f60718293a4b5c6d7e8f9012345678', token: printed.token });
    expect(newer.code).toBe(0);
    const newest = answerOf(newer.out).revision.number;
    const run = await slow;
    expect(run.code).toBe(0);
    expect(run.out.trimEnd().split('\n').at(-1)).toBe(`Kipper: revision #${rolling.number}: superseded by #${newest} while rolling out; the newer one decides the deploy`);
    await untilStatus(newest, 'live');
  }, 90_000);

  it('a revision held by a pin exits 0 with the message that says what deploys it', async () => {
    const back = await kip(['app', 'rollback', 'api', ...P, '--wait']);
    expect(back.code).toBe(0);
    const printed = await enable('gitlab', true);
    const run = await runGitlabJob(printed, ['sh', '-e'], { image: 'registry.gitlab.com/acme/my-app', sha: '31b2c3d4e5f60718293a4b5c6d7e8f9012345678' });
    expect(run.code).toBe(0);
    const answer = answerOf(run.out);
    expect(answer.revision.status).toBe('held');
    expect(run.out.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^Kipper: Revision #${answer.revision.number} is held: api is pinned to revision #\\d+ .*Run kip app unpin api to deploy it\\.$`));
    const unpin = await kip(['app', 'unpin', 'api', ...P, '--wait']);
    expect(unpin.code).toBe(0);
    expect(await revision(answer.revision.number)).toMatchObject({ status: 'live', current: true });
  });
});
