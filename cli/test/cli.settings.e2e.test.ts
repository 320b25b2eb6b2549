import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip, type KipRun } from './support/kip-process.js';

/**
 * Changing a running app with the built `kip` against a real Kipper (PostgreSQL, Redis, the
 * worker, the simulator): set, scale, env set/unset/list, diff, delete of apps and projects.
 */
const P = ['--project', 'conf', '--environment', 'test'];
const KIP = fileURLToPath(new URL('../bin/kip.js', import.meta.url));

let kipper: RunningKipper;
let configHome: string;

const kip = (args: string[]) => runKip(kipper, configHome, args);
const web = (args: string[]) => kip([...args, ...P]);

interface Container {
  name: string;
  image: string;
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
}

async function deployment(name = 'web'): Promise<{ spec: { replicas: number; template: { spec: { containers: Container[] } } } } | null> {
  const res = await fetch(`${kipper.sim.url}/apis/apps/v1/namespaces/conf-test/deployments/${name}`);
  return res.status === 404 ? null : ((await res.json()) as never);
}

const container = async () => (await deployment())!.spec.template.spec.containers[0]!;

/** `kip args…` on a terminal (a pty through util-linux `script`), typing `input`. */
function kipOnTerminal(args: string[], input: string): Promise<KipRun> {
  const command = [process.execPath, KIP, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: configHome, XDG_CONFIG_HOME: configHome, KIPPER_SERVER: kipper.url, KIPPER_TOKEN: kipper.adminToken, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Answer once the question is on the screen.
      if (/Type \S+ to delete/.test(out) && !child.stdin.writableEnded) child.stdin.end(`${input}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const text = out.replace(/\r/g, '');
      resolve({ code, out: text, err: '', lines: text.replace(/\n$/, '').split('\n') });
    });
  });
}

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-settings-'));
  kipper = await startKipper({ worker: true });
  expect((await kip(['project', 'create', 'conf'])).code).toBe(0);
  const deployed = await web(['app', 'deploy', 'web', '--image', 'registry.example.com/web:v1', '--port', '8080', '--wait']);
  expect(deployed.err).toBe('');
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(configHome, { recursive: true, force: true });
});

describe('kip app set and scale', () => {
  it('set --replicas applies at once without a revision (text)', async () => {
    const r = await web(['app', 'set', 'web', '--replicas', '2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      '✔ Settings of web (conf-test) saved',
      'Port:          8080',
      'Replicas:      2',
      'Host:          -',
      'Deploy policy: latest',
      'Auto rollback: on',
      'Drift policy:  repair',
    ]);
    expect((await deployment())!.spec.replicas).toBe(2);
  });

  it('set --port --wait is a config revision that goes live (json)', async () => {
    const r = await web(['app', 'set', 'web', '--port', '9090', '--no-auto-rollback', '--wait', '-o', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { app: { port: number; autoRollback: boolean }; revision: { number: number; trigger: string; status: string } };
    expect(json.app).toMatchObject({ port: 9090, autoRollback: false });
    expect(json.revision).toMatchObject({ number: 2, trigger: 'config', status: 'live' });
    expect((await container()).ports).toEqual([expect.objectContaining({ containerPort: 9090 })]);
    expect((await web(['app', 'set', 'web', '--auto-rollback'])).lines).toContain('Auto rollback: on');
  }, 60_000);

  it('refuses bad values and changes nothing', async () => {
    const r = await web(['app', 'set', 'web', '--port', '70000']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: Port must be from 1 to 65535, got 70000/);
    const host = await web(['app', 'set', 'web', '--host', 'Bad_Host']);
    expect(host.code).toBe(1);
    expect(host.err).toMatch(/is not a valid DNS name/);
    expect((await container()).ports).toEqual([expect.objectContaining({ containerPort: 9090 })]);
  });

  it('scale N in text and json', async () => {
    const r = await web(['app', 'scale', 'web', '3']);
    expect(r.err).toBe('');
    expect(r.lines).toEqual(['✔ Scaled web (conf-test) to 3 replicas']);
    expect((await deployment())!.spec.replicas).toBe(3);
    const json = JSON.parse((await web(['app', 'scale', 'web', '1', '-o', 'json'])).out) as { app: { replicas: number }; revision: null };
    expect(json).toMatchObject({ app: { replicas: 1 }, revision: null });
    expect((await deployment())!.spec.replicas).toBe(1);
    expect((await web(['app', 'scale', 'web', '51'])).code).toBe(1);
  });
});

describe('kip app env', () => {
  it('env set --wait: plain values in the pod spec, secret ones through a Secret; never printed', async () => {
    const r = await web(['app', 'env', 'set', 'web', 'LOG_LEVEL=debug', 'API_TOKEN=s3cret-value', '--wait']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Set LOG_LEVEL, API_TOKEN (secret) on web (conf-test)');
    expect(r.lines.at(-1)).toBe('✔ Revision #3 is live');
    expect(r.out).not.toContain('s3cret-value');
    const env = (await container()).env!;
    expect(env[0]).toEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(env[1]).toEqual({ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: expect.stringMatching(/^web-env-[0-9a-f]{10}$/), key: 'API_TOKEN' } } });
  }, 60_000);

  it('env list masks secret values; --reveal shows them (text and json)', async () => {
    const list = await web(['app', 'env', 'list', 'web']);
    expect(list.lines.map((l) => l.replace(/ +/g, ' '))).toEqual(['NAME VALUE SECRET', 'LOG_LEVEL debug', 'API_TOKEN ******** yes']);
    const json = JSON.parse((await web(['app', 'env', 'list', 'web', '-o', 'json'])).out) as { env: { name: string; value: string | null; secret: boolean }[] };
    expect(json.env.map((e) => [e.name, e.value, e.secret])).toEqual([
      ['LOG_LEVEL', 'debug', false],
      ['API_TOKEN', null, true],
    ]);
    const revealed = JSON.parse((await web(['app', 'env', 'list', 'web', '--reveal', '-o', 'json'])).out) as { env: { name: string; value: string | null }[] };
    expect(revealed.env.find((e) => e.name === 'API_TOKEN')?.value).toBe('s3cret-value');
    const audit = await web(['audit', '--app', 'web', '--action', 'app.env.reveal', '-o', 'json']);
    expect((JSON.parse(audit.out) as { entries: unknown[] }).entries).toHaveLength(1);
  });

  it('env unset --wait -o json removes it from the pod spec', async () => {
    const r = await web(['app', 'env', 'unset', 'web', 'LOG_LEVEL', '--wait', '-o', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { app: { env: { name: string }[] }; revision: { number: number; trigger: string; status: string } };
    expect(json.revision).toMatchObject({ number: 4, trigger: 'config', status: 'live' });
    expect(json.app.env.map((e) => e.name)).toEqual(['API_TOKEN']);
    expect((await container()).env!.map((e) => e.name)).toEqual(['API_TOKEN']);
    const bad = await web(['app', 'env', 'unset', 'web', 'NOT_THERE']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^Error: Environment variable NOT_THERE is not set on web/);
    expect((await web(['app', 'env', 'set', 'web', '9LIVES=x'])).err).toMatch(/is not valid/);
  }, 60_000);

  it('the history shows config revisions; a rollback restores the pod template of its target', async () => {
    const history = await web(['app', 'history', 'web']);
    expect(history.lines.filter((l) => / config /.test(l))).toHaveLength(3);
    const back = await web(['app', 'rollback', 'web', '--revision', '1', '--wait']);
    expect(back.code).toBe(0);
    const c = await container();
    expect(c.ports).toEqual([expect.objectContaining({ containerPort: 8080 })]);
    expect(c.env ?? []).toEqual([]);
  }, 60_000);
});

describe('kip app diff', () => {
  it('compares two revisions in text, secret values never shown', async () => {
    const r = await web(['app', 'diff', 'web', '--from', '1', '--to', '3']);
    expect(r.err).toBe('');
    expect(r.lines).toEqual([
      'web: revision #1 → #3',
      'Image:    registry.example.com/web:v1 (unchanged)',
      'Commit:   - (unchanged)',
      'Port:     8080 → 9090',
      'Replicas: 1 (unchanged)',
      'Host:     - (unchanged)',
      'Env:',
      '  + LOG_LEVEL=debug',
      '  + API_TOKEN (secret)',
    ]);
  });

  it('by default compares the previous live revision with the current one (json)', async () => {
    const json = JSON.parse((await web(['app', 'diff', 'web', '-o', 'json'])).out) as Record<string, { number?: number; changed?: boolean; removed?: { name: string; value: string | null }[] }>;
    expect(json.from!.number).toBe(4);
    expect(json.to!.number).toBe(5);
    expect(json.port).toMatchObject({ from: 9090, to: 8080, changed: true });
    expect(json.env!.removed).toEqual([{ name: 'API_TOKEN', value: null, secret: true }]);
    expect((await web(['app', 'diff', 'web', '--from', '42'])).code).toBe(1);
  });
});

describe('kip app delete and kip project delete', () => {
  it('refuse without a terminal unless --yes', async () => {
    const r = await web(['app', 'delete', 'web']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs confirmation: run it on a terminal and type its name, or pass --yes/);
    expect(await deployment()).not.toBeNull();
  });

  it('on a terminal: a wrong name deletes nothing; the right one deletes the app', async () => {
    const wrong = await kipOnTerminal(['app', 'delete', 'web', ...P], 'wbe');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('Not deleted: "wbe" is not web.');
    expect(await deployment()).not.toBeNull();
    const right = await kipOnTerminal(['app', 'delete', 'web', ...P], 'web');
    expect(right.code).toBe(0);
    expect(right.out).toContain('✔ Deleted app web from conf-test');
    expect(await deployment()).toBeNull();
  }, 30_000);

  it('--yes -o json deletes an app; project delete asks for the project name', async () => {
    expect((await web(['app', 'deploy', 'api', '--image', 'registry.example.com/api:v1', '--port', '80'])).code).toBe(0);
    const r = await web(['app', 'delete', 'api', '--yes', '-o', 'json']);
    expect(JSON.parse(r.out)).toEqual({ deleted: { app: 'api', namespace: 'conf-test', project: 'conf', environment: 'test' } });

    expect((await web(['app', 'deploy', 'site', '--image', 'registry.example.com/site:v1', '--port', '80'])).code).toBe(0);
    const project = await kipOnTerminal(['project', 'delete', 'conf'], 'conf');
    expect(project.code).toBe(0);
    expect(project.out).toContain('Project conf: namespaces conf-test, conf-acc, conf-prod; 1 app (conf-test/site).');
    expect(project.out).toContain('✔ Deleted project conf (namespaces conf-test, conf-acc, conf-prod)');
    expect((await fetch(`${kipper.sim.url}/api/v1/namespaces/conf-test`)).status).toBe(404);
    const audit = JSON.parse((await kip(['audit', '--action', 'project.delete', '-o', 'json'])).out) as { entries: { target: string }[] };
    expect(audit.entries.map((e) => e.target)).toEqual(['conf']);

    expect((await kip(['project', 'create', 'other'])).code).toBe(0);
    const json = JSON.parse((await kip(['project', 'delete', 'other', '--yes', '-o', 'json'])).out) as unknown;
    expect(json).toEqual({ deleted: { project: 'other', namespaces: ['other-test', 'other-acc', 'other-prod'], apps: [] } });
  }, 60_000);
});
