import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, HealthStatus, Revision, RevisionStatus, RevisionTrigger } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, markLive, ok, updateImage } from './helpers.js';

/**
 * The GraphQL side of pins, held and cancelled revisions, health, drift and a missing webhook
 * Secret. No worker: revisions stay where the test puts them.
 */
let k: RunningKipper;
let appId = '';
const api = { project: 'truth', environment: 'test', name: 'api' };

beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'truth');
  appId = (await deployApp(k, { ...api, image: 'registry.example.com/api:v1' })).id;
  await markLive(k, appId, 1);
  await updateImage(k, api, 'registry.example.com/api:v2');
  await markLive(k, appId, 2);
});
afterAll(async () => {
  await k?.stop();
});

const STATE = `deployPolicy autoRollback driftPolicy pin { revision { number image } by at } health { status reason message since } drift { message detectedAt } webhookSecretMissing webhook { enabled secretMissingSince }`;

interface AppState {
  deployPolicy: string;
  autoRollback: boolean;
  driftPolicy: string;
  pin: { revision: { number: number; image: string }; by: string; at: string } | null;
  health: { status: string; reason: string | null; message: string | null; since: string } | null;
  drift: { message: string; detectedAt: string } | null;
  webhookSecretMissing: string | null;
  webhook: { enabled: boolean; secretMissingSince: string | null };
}

async function state(): Promise<AppState> {
  return ok(await k.graphql<{ app: AppState }>(`query($ref: AppRef!) { app(ref: $ref) { ${STATE} } }`, { ref: api })).app;
}

async function revision(number: number) {
  return ok(
    await k.graphql<{ app: { revision: { number: number; status: string; heldReason: string | null; progress: Record<string, number> | null } } }>(
      `query($ref: AppRef!, $n: Int!) { app(ref: $ref) { revision(number: $n) { number status heldReason progress { updated ready desired available old } } } }`,
      { ref: api, n: number },
    ),
  ).app.revision;
}

async function appEntity(): Promise<App> {
  return k.kipper.services.dataSource.getRepository(App).findOneByOrFail({ id: appId });
}

describe('pins and held revisions', () => {
  it('a new app is not pinned, has no health yet and repairs drift', async () => {
    expect(await state()).toMatchObject({ deployPolicy: 'LATEST', autoRollback: true, driftPolicy: 'REPAIR', pin: null, health: null, drift: null, webhookSecretMissing: null });
  });

  it('rollbackApp pins the app to the new revision by default', async () => {
    const back = ok(await k.graphql<{ rollbackApp: { number: number; rollbackTo: number } }>(`mutation($app: AppRef!) { rollbackApp(app: $app) { number rollbackTo } }`, { app: api })).rollbackApp;
    expect(back).toEqual({ number: 3, rollbackTo: 1 });
    const { pin } = await state();
    expect(pin).toMatchObject({ revision: { number: 3, image: 'registry.example.com/api:v1' }, by: 'admin' });
    expect(new Date(pin!.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await markLive(k, appId, 3);
  });

  it('a webhook delivery while pinned is HELD, and heldReason says why and what to run', async () => {
    const held = await k.kipper.services.revisions.deployImage(await appEntity(), {
      image: 'registry.example.com/api:v3',
      trigger: RevisionTrigger.WEBHOOK,
      triggeredBy: 'webhook:kipper',
    });
    expect(held.status).toBe(RevisionStatus.HELD);
    const view = await revision(held.number);
    expect(view.status).toBe('HELD');
    expect(view.heldReason).toMatch(/^Revision #4 is held: api is pinned to revision #3 \(rolled back by admin at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\. Run kip app unpin api to deploy it\.$/);
    expect((await revision(3)).heldReason).toBeNull();
  });

  it('unpinApp deploys the newest held revision; a second unpin is NOT_PINNED', async () => {
    const result = ok(
      await k.graphql<{ unpinApp: { app: { pin: unknown }; deployed: { number: number; status: string } | null } }>(
        `mutation($app: AppRef!) { unpinApp(app: $app) { app { pin { by } } deployed { number status } } }`,
        { app: api },
      ),
    ).unpinApp;
    expect(result).toEqual({ app: { pin: null }, deployed: { number: 4, status: 'QUEUED' } });
    expect((await revision(4)).heldReason).toBeNull();
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { unpinApp(app: $app) { deployed { number } } }`, { app: api }))).toBe('NOT_PINNED');
  });

  it('rollbackApp with pin: false leaves the app unpinned', async () => {
    await markLive(k, appId, 4);
    ok(await k.graphql(`mutation($app: AppRef!) { rollbackApp(app: $app, pin: false) { number } }`, { app: api }));
    expect((await state()).pin).toBeNull();
    await markLive(k, appId, 5);
  });
});

describe('cancelRollout', () => {
  it('cancels a rollout and answers the rollback to the last live image', async () => {
    const next = await updateImage(k, api, 'registry.example.com/api:v4');
    await k.kipper.services.dataSource.getRepository(Revision).update({ appId, number: next.number }, { status: RevisionStatus.ROLLING_OUT, startedAt: new Date() });
    const result = ok(
      await k.graphql<{ cancelRollout: { cancelled: { number: number; status: string; failureReason: string }[]; rollback: { number: number; trigger: string; rollbackTo: number; image: string } | null } }>(
        `mutation($app: AppRef!) { cancelRollout(app: $app) { cancelled { number status failureReason } rollback { number trigger rollbackTo image } } }`,
        { app: api },
      ),
    ).cancelRollout;
    expect(result.cancelled).toEqual([{ number: next.number, status: 'CANCELLED', failureReason: 'cancelled by admin' }]);
    expect(result.rollback).toEqual({ number: next.number + 1, trigger: 'ROLLBACK', rollbackTo: 5, image: 'registry.example.com/api:v1' });
  });

  it('cancels queued revisions without a rollback; nothing in flight is NOTHING_TO_CANCEL', async () => {
    const queued = ok(await k.graphql<{ cancelRollout: { cancelled: { number: number }[]; rollback: unknown } }>(`mutation($app: AppRef!) { cancelRollout(app: $app) { cancelled { number } rollback { number } } }`, { app: api })).cancelRollout;
    expect(queued.rollback).toBeNull();
    expect(queued.cancelled.length).toBe(1);
    const again = await k.graphql(`mutation($app: AppRef!) { cancelRollout(app: $app) { cancelled { number } } }`, { app: api });
    expect(codeOf(again)).toBe('NOTHING_TO_CANCEL');
    expect(again.errors![0]!.message).toBe('App api has no deploy or build in progress: there is nothing to cancel');
  });
});

describe('settings, health, drift, webhook Secret, progress', () => {
  it('configureApp changes only what it is given, and audits it', async () => {
    const configured = ok(
      await k.graphql<{ configureApp: AppState }>(`mutation($app: AppRef!, $input: AppSettingsInput!) { configureApp(app: $app, input: $input) { ${STATE} } }`, {
        app: api,
        input: { driftPolicy: 'REPORT', deployPolicy: 'EVERY' },
      }),
    ).configureApp;
    expect(configured).toMatchObject({ driftPolicy: 'REPORT', deployPolicy: 'EVERY', autoRollback: true });
    ok(await k.graphql(`mutation($app: AppRef!) { configureApp(app: $app, input: { autoRollback: false }) { name } }`, { app: api }));
    expect(await state()).toMatchObject({ driftPolicy: 'REPORT', deployPolicy: 'EVERY', autoRollback: false });
    const audit = (await k.kipper.services.dataSource.query(`SELECT details FROM audit_entry WHERE action = 'app.configure' ORDER BY at`)) as { details: unknown }[];
    expect(audit.map((a) => a.details)).toEqual([
      { before: { driftPolicy: 'repair', deployPolicy: 'latest' }, after: { driftPolicy: 'report', deployPolicy: 'every' } },
      { before: { autoRollback: true }, after: { autoRollback: false } },
    ]);
  });

  it('deployApp takes a drift policy', async () => {
    await deployApp(k, { project: 'truth', environment: 'test', name: 'report', image: 'registry.example.com/report:v1', driftPolicy: 'REPORT' });
    const app = ok(await k.graphql<{ app: { driftPolicy: string } }>(`{ app(ref: { namespace: "truth-test", name: "report" }) { driftPolicy } }`)).app;
    expect(app.driftPolicy).toBe('REPORT');
  });

  it('health and drift as the worker records them', async () => {
    await k.kipper.services.conditions.recordHealth(appId, { status: HealthStatus.DEGRADED, reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' });
    await k.kipper.services.conditions.recordDrift(await appEntity(), ['replicas 3 in the cluster, 1 recorded']);
    const { health, drift } = await state();
    expect(health).toMatchObject({ status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' });
    expect(new Date(health!.since).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(drift).toMatchObject({ message: 'drift: replicas 3 in the cluster, 1 recorded' });
  });

  it('a missing webhook Secret is flagged with what to run', async () => {
    ok(await k.graphql(`mutation($app: AppRef!) { enableWebhook(app: $app) { url } }`, { app: api }));
    await k.kipper.services.conditions.recordWebhookSecret(await appEntity(), false);
    const s = await state();
    expect(s.webhookSecretMissing).toBe('webhook Secret missing: run kip app webhook enable api to issue a new token');
    expect(new Date(s.webhook.secretMissingSince!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // A list of apps reads every webhook in one statement (the loader), and says the same.
    const apps = ok(await k.graphql<{ apps: { name: string; webhookSecretMissing: string | null }[] }>(`{ apps(project: "truth") { name webhookSecretMissing } }`)).apps;
    expect(apps).toEqual([
      { name: 'api', webhookSecretMissing: 'webhook Secret missing: run kip app webhook enable api to issue a new token' },
      { name: 'report', webhookSecretMissing: null },
    ]);
    ok(await k.graphql(`mutation($app: AppRef!) { enableWebhook(app: $app) { url } }`, { app: api }));
    expect((await state()).webhookSecretMissing).toBeNull();
  });

  it('progress: available and old are 0 when the worker did not count them', async () => {
    const next = await updateImage(k, api, 'registry.example.com/api:v5');
    const repo = k.kipper.services.dataSource.getRepository(Revision);
    await repo.update({ appId, number: next.number }, { status: RevisionStatus.ROLLING_OUT, progress: { updated: 1, ready: 0, desired: 3 } });
    expect((await revision(next.number)).progress).toEqual({ updated: 1, ready: 0, desired: 3, available: 0, old: 0 });
    await repo.update({ appId, number: next.number }, { progress: { updated: 1, ready: 1, desired: 3, available: 1, old: 3 } });
    expect((await revision(next.number)).progress).toEqual({ updated: 1, ready: 1, desired: 3, available: 1, old: 3 });
  });
});
