import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` (scripts/start.js) on a machine where nothing answers at PostgreSQL's and Redis's
 * default addresses: each run is in an empty network namespace (`unshare -n`, NOTES.md), so the
 * machine's own PostgreSQL and Redis are out of reach, and `kip` runs inside the same namespace
 * (`nsenter -n`). Needs root, unshare, nsenter, ip and a built tree.
 */
const root = new URL('../../', import.meta.url).pathname;
const KIP = join(root, 'cli/bin/kip.js');
const tools = ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/ip', '/usr/bin/redis-server'];
const usable = process.getuid?.() === 0 && tools.every((t) => existsSync(t)) && existsSync(join(root, 'api/dist/main.js'));
const token = randomBytes(32).toString('hex');
const data = mkdtempSync(join(tmpdir(), 'kipper-bare-'));
// The embedded PostgreSQL runs as the postgres user (PostgreSQL refuses root): it must pass through.
chmodSync(data, 0o755);
afterAll(() => rmSync(data, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string> = {}): Started {
  const child = spawn('/usr/bin/unshare', ['-n', '/bin/sh', '-c', '/usr/sbin/ip link set lo up && exec "$0" scripts/start.js', process.execPath], {
    cwd: root,
    env: {
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: data,
      XDG_DATA_HOME: data,
      KIPPER_SKIP_BUILD: '1',
      KIPPER_KUBE: 'sim',
      KIPPER_ADMIN_TOKEN: token,
      KIPPER_PROGRESS_DEADLINE_SECONDS: '60',
      KIPPER_SIM_PORT: '6443',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(what: string, started: Started, check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}) before ${what}:\n${started.output()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `kip …` inside the namespace of a running start. */
function kip(started: Started, args: string[]): { code: number | null; out: string } {
  const r = spawnSync('/usr/bin/nsenter', ['-t', String(started.child.pid), '-n', '--', process.execPath, KIP, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: data, XDG_CONFIG_HOME: data, KIPPER_SERVER: 'http://127.0.0.1:8080', KIPPER_TOKEN: token },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The uid of the app's Deployment in the built-in simulator, read inside the namespace. */
function deploymentUid(started: Started): string {
  const script = "fetch('http://127.0.0.1:6443/apis/apps/v1/namespaces/shop-test/deployments/api').then((r) => r.json()).then((d) => console.log(d.metadata.uid))";
  const r = spawnSync('/usr/bin/nsenter', ['-t', String(started.child.pid), '-n', '--', process.execPath, '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.trim();
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

const P = ['--project', 'shop', '--environment', 'test'];
const postgresDir = join(data, 'kipper', 'postgres');

describe.skipIf(!usable)('npm start on a bare machine (root, unshare -n; skipped otherwise)', () => {
  it('starts an embedded PostgreSQL and redis-server, says so, and keeps projects, apps and the cluster across a restart', async () => {
    let uid: string | undefined;
    const first = start();
    try {
      await until('the api to listen', first, () => first.output().includes('Kipper API listening on'));
      const lines = first.output().split('\n');
      expect(lines).toContain(
        `kipper: nothing answers at 127.0.0.1:5432 and KIPPER_DATABASE_URL is not set: started an embedded PostgreSQL 18, data in ${postgresDir}`,
      );
      expect(lines.some((l) => l.startsWith('kipper: nothing answers at 127.0.0.1:6379') && l.endsWith(`data in ${join(data, 'kipper', 'redis')}`))).toBe(true);
      expect(first.output()).toContain(`its objects kept in ${join(data, 'kipper', 'kube-sim.json')}`);
      expect(existsSync(join(postgresDir, 'PG_VERSION'))).toBe(true);

      const created = kip(first, ['project', 'create', 'shop', '--environments', 'test']);
      expect(created.code, created.out).toBe(0);
      const deployed = kip(first, ['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:v1', '--port', '8080', ...P, '--wait']);
      expect(deployed.code, deployed.out).toBe(0);
      uid = deploymentUid(first);
      expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    // Both services stopped with it: PostgreSQL removes its pid file on a clean shutdown.
    expect(existsSync(join(postgresDir, 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(data, 'kipper', 'kube-sim.json'), 'utf8')).toContain('"shop-test"');

    const second = start();
    try {
      await until('the api to listen again', second, () => second.output().includes('Kipper API listening on'));
      const projects = kip(second, ['project', 'list']);
      expect(projects.code, projects.out).toBe(0);
      expect(projects.out).toMatch(/^shop\s/m);
      // The app's Deployment is still in the cluster: healthy, not Missing.
      const status = kip(second, ['app', 'status', 'api', ...P]);
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(/Health:\s+Healthy/);
      expect(status.out).toContain('registry.example.com/api:v1');
      // The very same object, kept by the simulator's state file (not recreated by the reconciler).
      expect(deploymentUid(second)).toBe(uid);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });

  it('never replaces an explicit KIPPER_DATABASE_URL by an embedded database', async () => {
    const run = start({ KIPPER_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/kipper' });
    const code = await Promise.race([run.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))]);
    if (code === 'running') await stop(run);
    expect(code).not.toBe(0);
    expect(run.output()).not.toContain('embedded PostgreSQL');
    expect(run.output()).toMatch(/ECONNREFUSED|connect/);
  });

  it('without redis-server on PATH, stops with one line naming the fix', async () => {
    // A PATH with node and nothing else (node may live in /usr/bin beside redis-server).
    const bin = join(data, 'node-only');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = start({ PATH: bin });
    expect(await run.exited).toBe(2);
    expect(run.output().trim()).toBe(
      'kipper: nothing answers at 127.0.0.1:6379, KIPPER_REDIS_URL is not set and there is no redis-server on PATH: apt-get install redis-server, brew install redis, or docker compose up redis',
    );
  });
});
