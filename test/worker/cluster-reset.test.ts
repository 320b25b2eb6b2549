import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@kipper/kube-sim';
import { createHmac } from 'node:crypto';
import pg from 'pg';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { deploymentImage, objectStatus } from '../support/sim-objects.js';
import { waitFor } from './harness.js';

const RECONCILE_SECONDS = 30;

/**
 * The cluster loses everything (here: the simulator is stopped and a fresh, empty one started on
 * the same address, as after a cluster rebuilt from scratch). When the worker's watches reconnect
 * the reconciler makes one pass over every app, long before the interval's pass: every app's
 * Deployment, Service and Ingress come back from the record, and the webhooks whose Secret is gone
 * (it cannot be recreated: only the token's hash is kept) are flagged.
 */
describe('worker: an emptied cluster is rebuilt from the record', () => {
  let kipper: RunningKipper;
  let db: pg.Client;
  let fresh: Simulator | undefined;

  beforeAll(async () => {
    kipper = await startKipper({ worker: true, rolloutStepMs: 20, env: { KIPPER_RECONCILE_SECONDS: String(RECONCILE_SECONDS) } });
    db = new pg.Client({ connectionString: kipper.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await kipper?.stop();
    await fresh?.close();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => kipper.data<T>(query, variables);

  const apps = [
    { name: 'api', host: 'api.example.com', webhook: true },
    { name: 'web', host: null, webhook: true },
    { name: 'jobs', host: null, webhook: false },
  ];
  const ns = 'shop-test';
  /** The tokens issued before the cluster was lost. */
  const webhooks = new Map<string, { token: string; url: string }>();
  const deliver = (name: string, headers: Record<string, string>, body: string) =>
    fetch(webhooks.get(name)!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const paths = (name: string, host: string | null) => [
    `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
    `/api/v1/namespaces/${ns}/services/${name}`,
    ...(host ? [`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`] : []),
  ];
  const allPresent = async (url: string) => {
    // A pooled connection to the simulator that was stopped fails once: not there yet.
    try {
      return await present(url);
    } catch {
      return false;
    }
  };
  const present = async (url: string) => {
    for (const app of apps) {
      for (const path of paths(app.name, app.host)) if ((await objectStatus(url, path)) !== 200) return false;
      if ((await deploymentImage(url, ns, app.name)) !== `registry.example.com/${app.name}:v1`) return false;
    }
    return true;
  };

  it('every Deployment, Service and Ingress is back within one pass; missing webhook Secrets are flagged', async () => {
    await gql('mutation { createProject(input: { name: "shop", environments: ["test"] }) { name } }');
    for (const app of apps) {
      await gql('mutation($input: DeployAppInput!) { deployApp(input: $input) { id } }', {
        input: { project: 'shop', name: app.name, image: `registry.example.com/${app.name}:v1`, port: 8080, replicas: 1, ...(app.host ? { host: app.host } : {}) },
      });
      if (app.webhook) {
        const { enableWebhook } = await gql<{ enableWebhook: { token: string; url: string } }>(
          `mutation { enableWebhook(app: { project: "shop", environment: "test", name: "${app.name}" }) { token url } }`,
        );
        webhooks.set(app.name, enableWebhook);
      }
    }
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM revision WHERE status = 'live'`)).rows[0].n === apps.length, {
      timeoutMs: 30_000,
      describe: () => kipper.workers!.output(),
    });
    expect(await allPresent(kipper.sim.url)).toBe(true);
    // Steady state first: every app seen Healthy by the reconciler.
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM app WHERE health->>'status' = 'Healthy'`)).rows[0].n === apps.length, {
      timeoutMs: 10_000,
      describe: () => kipper.workers!.output(),
    });

    const port = Number(new URL(kipper.sim.url).port);
    await kipper.sim.close();
    fresh = await startSimulator({ port, rolloutStepMs: 20 });
    const restartedAt = Date.now();
    await waitFor(() => allPresent(fresh!.url), { timeoutMs: 20_000, intervalMs: 100, describe: () => kipper.workers!.output() });
    const tookMs = Date.now() - restartedAt;
    console.log(`cluster reset: every app's objects back ${tookMs} ms after the empty cluster came up`);
    expect(tookMs).toBeLessThan(RECONCILE_SECONDS * 1000);
    await waitFor(async () => /reconciler: cluster watches reconnected, reconciling every app/.test(kipper.workers!.output()), { timeoutMs: 10_000 });

    const flagged = async () =>
      (await db.query<{ name: string }>(`SELECT a.name FROM webhook w JOIN app a ON a.id = w.app_id WHERE w.secret_missing_since IS NOT NULL ORDER BY a.name`)).rows.map((r) => r.name);
    await waitFor(async () => (await flagged()).length === 2, { timeoutMs: 10_000, describe: () => kipper.workers!.output() });
    expect(await flagged()).toEqual(['api', 'web']);
    // Each repair is audited just after it is made.
    const audited = async (action: string) =>
      (await db.query<{ target: string }>(`SELECT DISTINCT target FROM audit_entry WHERE actor = 'kipper' AND action = $1 ORDER BY target`, [action])).rows.map((r) => r.target);
    await waitFor(async () => (await audited('app.repair')).length === apps.length, { timeoutMs: 5_000, describe: () => kipper.workers!.output() });
    expect(await audited('app.repair')).toEqual(apps.map((a) => `${ns}/${a.name}`).sort());
    expect(await audited('webhook.secret_missing')).toEqual([`${ns}/api`, `${ns}/web`]);

    // The old tokens still deploy with X-Kipper-Token (the hash is all that check needs)…
    const body = JSON.stringify({ image: 'registry.example.com/api:v2' });
    const accepted = await deliver('api', { 'x-kipper-token': webhooks.get('api')!.token }, body);
    expect(accepted.status).toBe(202);
    await waitFor(async () => (await deploymentImage(fresh!.url, ns, 'api')) === 'registry.example.com/api:v2', { timeoutMs: 15_000, describe: () => kipper.workers!.output() });
    // …a GitHub signature cannot be checked without the token: refused with the reason, and the app says what to do.
    const signature = `sha256=${createHmac('sha256', webhooks.get('web')!.token).update(body).digest('hex')}`;
    const refused = await deliver('web', { 'x-hub-signature-256': signature, 'x-github-event': 'push', 'x-github-delivery': 'reset-1' }, body);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'WEBHOOK_SECRET_MISSING',
      message: expect.stringContaining('kip app webhook enable web') as string,
    });
    const { app } = await gql<{ app: { webhookSecretMissing: string | null } }>('{ app(ref: { namespace: "shop-test", name: "web" }) { webhookSecretMissing } }');
    expect(app.webhookSecretMissing).toBe('webhook Secret missing: run kip app webhook enable web to issue a new token');
  });
});
