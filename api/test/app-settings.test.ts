import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverySource, RevisionTrigger } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { readDeployment } from '../../test/support/sim-objects.js';
import { codeOf, count, createProject, deployApp, markLive, ok } from './helpers.js';

const WEB = { project: 'cfg', environment: 'test', name: 'web' };
const SETTINGS = 'number trigger image settings { port replicas host env { name value secret fingerprint } }';

let k: RunningKipper;
let webId = '';

async function settings(input: Record<string, unknown>) {
  return k.graphql<{ updateAppSettings: { app: { port: number; replicas: number; host: string | null }; revision: { number: number; trigger: string } | null } }>(
    `mutation($app: AppRef!, $input: AppSettingsInput!) { updateAppSettings(app: $app, input: $input) { app { port replicas host } revision { ${SETTINGS} } } }`,
    { app: WEB, input },
  );
}

async function env(input: Record<string, unknown>) {
  return k.graphql<{ updateAppEnv: { revision: { number: number; trigger: string; settings: { env: { name: string; value: string | null; secret: boolean }[] } } | null } }>(
    `mutation($app: AppRef!, $input: AppEnvInput!) { updateAppEnv(app: $app, input: $input) { revision { ${SETTINGS} } } }`,
    { app: WEB, input },
  );
}

/** Everything PostgreSQL holds about apps, revisions and the audit log, as text. */
async function databaseText(): Promise<string> {
  const ds = k.kipper.services.dataSource;
  const rows = await Promise.all(['app', 'revision', 'audit_entry'].map((table) => ds.query(`SELECT t::text AS row FROM "${table}" t`) as Promise<{ row: string }[]>));
  return rows.flat().map((r) => r.row).join('\n');
}

async function secretOf(namespace: string, name: string): Promise<Record<string, string> | null> {
  const res = await fetch(`${k.sim.url}/api/v1/namespaces/${namespace}/secrets/${name}`);
  if (res.status === 404) return null;
  const body = (await res.json()) as { data?: Record<string, string> };
  return Object.fromEntries(Object.entries(body.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'cfg');
  webId = (await deployApp(k, { ...WEB, image: 'registry.example.com/web:v1', port: 8080 })).id;
  await markLive(k, webId, 1);
});
afterAll(async () => {
  await k?.stop();
});

describe('app settings', () => {
  it('refuses bad values with VALIDATION_FAILED and changes nothing', async () => {
    const revisions = await count(k, 'revision');
    const audit = await count(k, 'audit_entry');
    for (const input of [{ port: 0 }, { port: 65536 }, { replicas: -1 }, { replicas: 51 }, { host: 'Not_A_Host' }, { port: 9090, replicas: 500 }]) {
      expect(codeOf(await settings(input)), JSON.stringify(input)).toBe('VALIDATION_FAILED');
    }
    for (const input of [{ set: [{ name: '1ABC', value: 'x' }] }, { set: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }, { unset: ['NOT_SET'] }, {}]) {
      expect(codeOf(await env(input)), JSON.stringify(input)).toBe('VALIDATION_FAILED');
    }
    const app = ok(await k.graphql<{ app: { port: number; replicas: number; host: string | null; env: unknown[] } }>('query($a: AppRef!) { app(ref: $a) { port replicas host env { name } } }', { a: WEB })).app;
    expect(app).toEqual({ port: 8080, replicas: 1, host: null, env: [] });
    expect(await count(k, 'revision')).toBe(revisions);
    expect(await count(k, 'audit_entry')).toBe(audit);
  });

  it('scales at once without a revision, and the next revision records it', async () => {
    const result = ok(await settings({ replicas: 3 })).updateAppSettings;
    expect(result.app.replicas).toBe(3);
    expect(result.revision).toBeNull();
    expect((await readDeployment(k.sim.url, 'cfg-test', 'web'))?.spec.replicas).toBe(3);
    const changed = ok(await env({ set: [{ name: 'LOG_LEVEL', value: 'debug' }] })).updateAppEnv.revision!;
    expect(changed).toMatchObject({ number: 2, trigger: 'CONFIG', image: 'registry.example.com/web:v1', settings: { port: 8080, replicas: 3, env: [{ name: 'LOG_LEVEL', value: 'debug', secret: false }] } });
  });

  it('keeps secret values in a Kubernetes Secret, never in PostgreSQL', async () => {
    const value = 'hunter2-very-secret-value';
    const made = ok(await env({ set: [{ name: 'API_TOKEN', value }, { name: 'PLAIN', value: 'not-secret-looking', secret: true }] })).updateAppEnv.revision!;
    expect(made.settings.env.filter((e) => e.secret).map((e) => [e.name, e.value])).toEqual([
      ['API_TOKEN', null],
      ['PLAIN', null],
    ]);
    expect(await databaseText()).not.toContain(value);
    expect(await databaseText()).not.toContain('not-secret-looking');
    const [{ name }] = (await k.kipper.services.dataSource.query('SELECT env_secret_name AS name FROM app WHERE id = $1', [webId])) as { name: string }[];
    expect(name).toMatch(/^web-env-[0-9a-f]{10}$/);
    expect(await secretOf('cfg-test', name)).toEqual({ API_TOKEN: value, PLAIN: 'not-secret-looking' });

    const masked = ok(await k.graphql<{ appEnv: { name: string; value: string | null }[] }>('query($a: AppRef!) { appEnv(app: $a) { name value } }', { a: WEB })).appEnv;
    expect(masked).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'API_TOKEN', value: null },
      { name: 'PLAIN', value: null },
    ]);
    const before = await count(k, 'audit_entry');
    const revealed = ok(await k.graphql<{ appEnv: { name: string; value: string | null }[] }>('query($a: AppRef!) { appEnv(app: $a, reveal: true) { name value } }', { a: WEB })).appEnv;
    expect(revealed.find((e) => e.name === 'API_TOKEN')?.value).toBe(value);
    const [audit] = (await k.kipper.services.dataSource.query(`SELECT action, details FROM audit_entry ORDER BY at DESC LIMIT 1`)) as { action: string; details: { names: string[] } }[];
    expect(await count(k, 'audit_entry')).toBe(before + 1);
    expect(audit).toMatchObject({ action: 'app.env.reveal', details: { names: ['API_TOKEN', 'PLAIN'] } });
  });

  it('a rollback restores the image AND the pod template (port, env) of its target', async () => {
    await markLive(k, webId, 3);
    const port = ok(await settings({ port: 9090 })).updateAppSettings.revision!;
    expect(port).toMatchObject({ number: 4, trigger: 'CONFIG', settings: { port: 9090 } });
    await markLive(k, webId, 4);
    const back = ok(
      await k.graphql<{ rollbackApp: { number: number; settings: { port: number; env: { name: string }[] } } }>(
        `mutation($app: AppRef!) { rollbackApp(app: $app, revision: 2) { ${SETTINGS} } }`,
        { app: WEB },
      ),
    ).rollbackApp;
    expect(back).toMatchObject({ number: 5, settings: { port: 8080, replicas: 3, env: [{ name: 'LOG_LEVEL' }] } });
    const app = ok(await k.graphql<{ app: { port: number; env: { name: string }[] } }>('query($a: AppRef!) { app(ref: $a) { port env { name } } }', { a: WEB })).app;
    expect(app).toEqual({ port: 8080, env: [{ name: 'LOG_LEVEL' }] });
  });

  it('compares two revisions: port, env added (secret values never shown), replicas', async () => {
    const diff = ok(
      await k.graphql<{ app: { revisionDiff: Record<string, unknown> } }>(
        `query($a: AppRef!) { app(ref: $a) { revisionDiff(from: 1, to: 4) {
          from { number } to { number } settingsKnown image { changed } port { from to changed } replicas { from to changed }
          env { added { name value secret } removed { name } changed { name } } } } }`,
        { a: WEB },
      ),
    ).app.revisionDiff;
    expect(diff).toEqual({
      from: { number: 1 },
      to: { number: 4 },
      settingsKnown: true,
      image: { changed: false },
      port: { from: 8080, to: 9090, changed: true },
      replicas: { from: 1, to: 3, changed: true },
      env: {
        added: [
          { name: 'LOG_LEVEL', value: 'debug', secret: false },
          { name: 'API_TOKEN', value: null, secret: true },
          { name: 'PLAIN', value: null, secret: true },
        ],
        removed: [],
        changed: [],
      },
    });
    expect(codeOf(await k.graphql('query($a: AppRef!) { app(ref: $a) { revisionDiff(from: 99) { settingsKnown } } }', { a: WEB }))).toBe('REVISION_NOT_FOUND');
  });

  it('a change computed from settings someone else changed meanwhile is CONFLICT and saves nothing', async () => {
    const stale = await k.kipper.services.apps.resolve({ namespace: 'cfg-test', name: 'web' });
    ok(await env({ set: [{ name: 'FIRST', value: '1' }] }));
    const revisions = await count(k, 'revision');
    await expect(k.kipper.services.appSettings.changeEnv(stale, { set: [{ name: 'SECOND', value: '2' }] }, 'admin')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await count(k, 'revision')).toBe(revisions);
    ok(await env({ unset: ['FIRST'] }));
  });
});

describe('every way a revision is made records the settings', () => {
  it('a webhook delivery (the one-statement path) and a git build request snapshot the app', async () => {
    const services = k.kipper.services;
    const app = await services.apps.resolve({ namespace: 'cfg-test', name: 'web' });
    const delivered = await services.revisions.deployDeliveredImage(
      app,
      { image: 'registry.example.com/web:v9', trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' },
      { source: DeliverySource.KIPPER, event: 'deploy' },
    );
    expect(delivered.kind).toBe('inserted');
    const stored = await services.revisions.byNumber(app.id, delivered.revision.number);
    // What the rollback to #2 put back: its port and env.
    expect(stored?.settings).toEqual({ port: 8080, replicas: 3, host: null, env: [{ name: 'LOG_LEVEL', value: 'debug' }], envSecret: null });

    const site = await deployApp(k, { project: 'cfg', environment: 'test', name: 'site', gitUrl: 'https://git.example.com/site.git', port: 3000 });
    const [first] = (await k.kipper.services.dataSource.query('SELECT settings FROM revision WHERE app_id = $1', [site.id])) as { settings: unknown }[];
    expect(first!.settings).toEqual({ port: 3000, replicas: 1, host: null, env: [], envSecret: null });
  });

  it('env Secrets no revision refers to are removed; deleting the app removes the rest', async () => {
    ok(await env({ set: [{ name: 'DB_PASSWORD', value: 'pw-1' }] }));
    const app = await k.kipper.services.apps.resolve({ namespace: 'cfg-test', name: 'web' });
    // One Kipper made for a change that never committed: no revision names it.
    const res = await fetch(`${k.sim.url}/api/v1/namespaces/cfg-test/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'web-env-0000000000', labels: { 'kipper.dev/app': 'web', 'app.kubernetes.io/component': 'env', 'app.kubernetes.io/managed-by': 'kipper' } }, data: { X: 'eA==' } }),
    });
    expect(res.status).toBe(201);
    const removed = await k.kipper.services.appSettings.collectEnvSecrets(app);
    expect(removed).toEqual(['web-env-0000000000']);
    const [{ name }] = (await k.kipper.services.dataSource.query('SELECT env_secret_name AS name FROM app WHERE id = $1', [app.id])) as { name: string }[];
    expect(await secretOf('cfg-test', name)).not.toBeNull();
    expect(ok(await k.graphql('mutation($a: AppRef!) { deleteApp(app: $a) }', { a: WEB }))).toEqual({ deleteApp: true });
    expect(await secretOf('cfg-test', name)).toBeNull();
  });
});

describe('deleting a project', () => {
  it('removes its namespaces and rows; the audit log keeps every entry about it', async () => {
    await createProject(k, 'gone');
    await deployApp(k, { project: 'gone', environment: 'test', name: 'api', image: 'registry.example.com/api:v1', env: [{ name: 'DB_PASSWORD', value: 'pw' }] });
    const [{ id }] = (await k.kipper.services.dataSource.query(`SELECT id FROM project WHERE name = 'gone'`)) as { id: string }[];
    const entries = async () => ((await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM audit_entry WHERE project_id = $1', [id])) as { n: number }[])[0]!.n;
    const before = await entries();
    expect(ok(await k.graphql('mutation { deleteProject(name: "gone") }'))).toEqual({ deleteProject: true });
    expect((await fetch(`${k.sim.url}/api/v1/namespaces/gone-test`)).status).toBe(404);
    expect(ok(await k.graphql('{ project(name: "gone") { name } }'))).toEqual({ project: null });
    expect(await entries()).toBe(before + 1);
    const [last] = (await k.kipper.services.dataSource.query(`SELECT action, target FROM audit_entry WHERE project_id = $1 ORDER BY at DESC LIMIT 1`, [id])) as { action: string; target: string }[];
    expect(last).toEqual({ action: 'project.delete', target: 'gone' });
    expect(codeOf(await k.graphql('mutation { deleteProject(name: "gone") }'))).toBe('PROJECT_NOT_FOUND');
  });
});
