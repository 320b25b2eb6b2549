import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip, until } from './support/kip-process.js';

/** `kip app pods|events|logs` (the built kip as a subprocess) against a real Kipper and the simulator's app pods. */
const P = ['--project', 'shop', '--environment', 'test'];
const IMAGE = 'ghcr.io/org/web:1.2';

let kipper: RunningKipper;
let configHome: string;
const kip = (args: string[]) => runKip(kipper, configHome, args);

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-runtime-'));
  kipper = await startKipper({ simulator: { appLogIntervalMs: 100 } });
  await kipper.data('mutation { createProject(input: { name: "shop" }) { id } }');
  await kipper.data('mutation($i: DeployAppInput!) { deployApp(input: $i) { id } }', { i: { project: 'shop', environment: 'test', name: 'web', image: IMAGE, port: 8080, replicas: 2 } });
  await until('two ready pods', async () => {
    const r = await kip(['app', 'pods', 'web', ...P, '-o', 'json']);
    const pods = (JSON.parse(r.out) as { pods: { ready: boolean }[] }).pods;
    return pods.length === 2 && pods.every((p) => p.ready) ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(configHome, { recursive: true, force: true });
});

describe('kip app pods', () => {
  it('prints a table of the pods', async () => {
    const r = await kip(['app', 'pods', 'web', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines[0]!.split(/ {2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IMAGE', 'NODE']);
    expect(r.lines).toHaveLength(3);
    for (const row of r.lines.slice(1)) {
      const [name, ready, status, restarts, age, image, node] = row.split(/ {2,}/);
      expect(name).toMatch(/^web-/);
      expect([ready, status, restarts, image, node]).toEqual(['yes', 'Running', '0', IMAGE, 'sim-node']);
      expect(age).toMatch(/^\d+s$/);
    }
  });

  it('-o json gives the pods', async () => {
    const r = await kip(['app', 'pods', 'web', ...P, '-o', 'json']);
    const json = JSON.parse(r.out) as { app: string; namespace: string; pods: Record<string, unknown>[] };
    expect(json).toMatchObject({ app: 'web', namespace: 'shop-test' });
    expect(json.pods[0]).toMatchObject({ ready: true, status: 'Running', phase: 'Running', restarts: 0, image: IMAGE, node: 'sim-node' });
  });

  it('says which app does not exist', async () => {
    const r = await kip(['app', 'pods', 'nope', ...P]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope');
  });
});

describe('kip app events', () => {
  it('prints the newest events, --limit of them', async () => {
    const r = await kip(['app', 'events', 'web', ...P, '--limit', '50']);
    expect(r.code).toBe(0);
    expect(r.lines[0]!.split(/ {2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(r.lines.some((l) => /Normal +Started +pod\/web-\S+ +Started container web$/.test(l))).toBe(true);
    expect(r.lines.some((l) => /Normal +ScalingReplicaSet +deployment\/web /.test(l))).toBe(true);
    const few = await kip(['app', 'events', 'web', ...P, '--limit', '3']);
    expect(few.lines).toHaveLength(4);
  });

  it('-o json gives the events', async () => {
    const r = await kip(['app', 'events', 'web', ...P, '--limit', '50', '-o', 'json']);
    const json = JSON.parse(r.out) as { events: { type: string; reason: string; kind: string; name: string; count: number }[] };
    expect(json.events.find((e) => e.reason === 'Pulled')).toMatchObject({ type: 'Normal', kind: 'Pod', count: 1 });
  });
});

describe('kip app logs', () => {
  it('prints the last lines of every pod, each with its pod', async () => {
    const r = await kip(['app', 'logs', 'web', ...P, '--tail', '1000']);
    expect(r.code).toBe(0);
    const starts = r.lines.filter((l) => l.endsWith(`] Starting ${IMAGE} on port 8080`));
    expect(starts).toHaveLength(2);
    expect(r.lines.every((l) => /^\[web-\S+\] /.test(l))).toBe(true);
  });

  it('--pod prints one pod\'s lines bare; -o json one object per line', async () => {
    const pods = JSON.parse((await kip(['app', 'pods', 'web', ...P, '-o', 'json'])).out) as { pods: { name: string }[] };
    const pod = pods.pods[0]!.name;
    const r = await kip(['app', 'logs', 'web', ...P, '--pod', pod, '--tail', '2']);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[1]).toMatch(/^(GET|POST) \S+ \d+ \d+ms \(request \d+\)$/);
    const json = await kip(['app', 'logs', 'web', ...P, '--pod', pod, '--tail', '2', '-o', 'json']);
    const objects = json.out.trim().split('\n').map((l) => JSON.parse(l) as { pod: string; line: string; at: string });
    expect(objects).toHaveLength(2);
    expect(objects[0]).toMatchObject({ pod });
    expect(Date.parse(objects[0]!.at)).toBeGreaterThan(0);
  });

  it('refuses a pod that is not the app\'s with POD_NOT_FOUND', async () => {
    const r = await kip(['app', 'logs', 'web', ...P, '--pod', 'web-nothere-12345', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err)).toMatchObject({ error: { code: 'POD_NOT_FOUND' } });
  });

  it('-f follows new lines and exits 0 on Ctrl-C, closing the cluster streams', async () => {
    const before = kipper.sim.openLogStreams();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../bin/kip.js', import.meta.url)), 'app', 'logs', 'web', ...P, '-f', '--tail', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: configHome, XDG_CONFIG_HOME: configHome, KIPPER_SERVER: kipper.url, KIPPER_TOKEN: kipper.adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until('a followed line', async () => (/\(request \d+\)/.test(out) ? true : undefined), 10_000);
    expect(kipper.sim.openLogStreams()).toBe(before + 2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await until('the cluster streams to close', async () => (kipper.sim.openLogStreams() === before ? true : undefined), 5000);
  });
});
