import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '../../test/support/git-repo.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip } from './support/kip-process.js';

/**
 * Git-source apps with the built `kip` against a real Kipper (worker, simulator, a local git
 * repository): deploy --git, rebuild at a commit, build logs, and the deliveries a CI call and
 * a provider ping leave behind.
 */
const P = ['--project', 'shop', '--environment', 'test'];
const REGISTRY = 'registry.kipper.local';

let kipper: RunningKipper;
let configHome: string;
let repo: GitRepo;

const kip = (args: string[]) => runKip(kipper, configHome, args);

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-git-e2e-'));
  repo = createGitRepo('main');
  // file:// is off by default; the local test repository needs it.
  // Simulator steps of 150 ms: a build runs long enough to be followed while it runs.
  kipper = await startKipper({ worker: true, rolloutStepMs: 150, env: { KIPPER_REGISTRY: REGISTRY, KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' } });
  const created = await kip(['project', 'create', 'shop', '--environments', 'test']);
  expect(created.code, created.err).toBe(0);
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  repo?.remove();
  await rm(configHome, { recursive: true, force: true });
});

describe('kip with a git-source app', () => {
  it('deploys from git: builds the branch head and rolls out its image', async () => {
    const head = repo.commit('first');
    const r = await kip(['app', 'deploy', '--name', 'site', '--git', repo.url, '--branch', 'main', '--port', '8080', ...P, '--wait']);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.lines[0]).toBe('✔ App site created in shop-test');
    expect(r.out).toContain('✔ Revision #1 is live');

    const status = JSON.parse((await kip(['app', 'status', 'site', ...P, '-o', 'json'])).out) as { live: boolean; currentRevision: { image: string } };
    expect(status).toMatchObject({ live: true, currentRevision: { image: `${REGISTRY}/shop-test/site:${head}` } });
  });

  it('rebuilds at a given commit and shows that build’s log', async () => {
    const second = repo.commit('second');
    repo.commit('third: not asked for');
    const r = await kip(['app', 'rebuild', 'site', '--commit', second, ...P, '--wait']);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toMatch(/✔ Revision #2 is live/);

    const history = JSON.parse((await kip(['app', 'history', 'site', ...P, '-o', 'json'])).out) as {
      revisions: { number: number; image: string; commit: string; current: boolean }[];
    };
    expect(history.revisions.find((x) => x.current)).toMatchObject({ number: 2, commit: second, image: `${REGISTRY}/shop-test/site:${second}` });

    // The build Job was told to check out exactly that commit, and its log says so.
    const logs = await kip(['app', 'build-logs', 'site', ...P]);
    expect(logs.code, logs.err).toBe(0);
    expect(logs.out).toContain(second);
    expect(logs.out).toContain(`${REGISTRY}/shop-test/site:${second}`);
  });

  it('follows a running build log to its end with build-logs --follow', async () => {
    const commit = repo.commit('followed');
    const started = await kip(['app', 'rebuild', 'site', '--commit', commit, ...P]);
    expect(started.code, started.err).toBe(0);
    const followed = await kip(['app', 'build-logs', 'site', ...P, '--follow']);
    expect(followed.code, followed.err).toBe(0);
    // From the builder's first line (its command, naming the commit) to the last.
    expect(followed.out).toContain(commit);
    expect(followed.lines.length).toBeGreaterThan(2);
    const history = JSON.parse((await kip(['app', 'history', 'site', ...P, '-o', 'json'])).out) as { revisions: { commit: string }[] };
    expect(history.revisions[0]!.commit).toBe(commit);
  });

  it('a git host that cannot be reached: build-logs --follow exits 1 within 10 s with the reason naming the host', async () => {
    const created = await kip(['app', 'deploy', '--name', 'nowhere', '--git', 'https://example.invalid/acme/repo.git', '--branch', 'main', '--port', '8080', ...P]);
    expect(created.code, created.err + created.out).toBe(0);
    const started = Date.now();
    const followed = await kip(['app', 'build-logs', 'nowhere', ...P, '--follow']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(followed.code).toBe(1);
    expect(followed.err).toMatch(/could not resolve host example\.invalid/);
    const history = JSON.parse((await kip(['app', 'history', 'nowhere', ...P, '-o', 'json'])).out) as { revisions: { status: string; failureReason: string | null }[] };
    expect(history.revisions[0]).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/could not resolve host example\.invalid/) as string });
  });

  it('lists webhook deliveries: a CI rebuild request and a GitHub ping, with their outcomes', async () => {
    const enabled = JSON.parse((await kip(['app', 'webhook', 'enable', 'site', ...P, '-o', 'json'])).out) as { url: string; token: string };
    const commit = repo.commit('from CI');
    const ci = await fetch(enabled.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': enabled.token },
      body: JSON.stringify({ commit }),
    });
    expect(ci.status).toBe(202);
    const { createHmac } = await import('node:crypto');
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const pinged = await fetch(enabled.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': 'delivery-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', enabled.token).update(ping).digest('hex')}`,
      },
      body: ping,
    });
    expect(pinged.status).toBe(200);

    const r = await kip(['app', 'deliveries', 'site', ...P]);
    expect(r.code, r.err).toBe(0);
    const rows = r.lines.map((line) => line.trim().split(/\s{2,}/));
    expect(rows[0]).toEqual(['WHEN', 'SOURCE', 'EVENT', 'STATUS', 'OUTCOME', 'REVISION', 'MESSAGE']);
    expect(rows.slice(1).map((row) => row.slice(1, 6))).toEqual([
      ['github', 'ping', '200', 'ignored', '-'],
      ['kipper', 'deploy', '202', 'accepted', '#4'],
    ]);
  });
});
