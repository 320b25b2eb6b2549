import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { waitFor } from './harness.js';

/**
 * Deleting an app while the worker rolls it out: the worker (holding the app's lock) must not
 * leave a Deployment behind, whatever it was doing, and stays healthy for other apps.
 */
describe('worker: an app deleted mid-rollout', () => {
  let kipper: RunningKipper;
  let db: pg.Client;

  beforeAll(async () => {
    // Slow rollouts: each status step of a Deployment takes 400 ms.
    kipper = await startKipper({ worker: true, rolloutStepMs: 400 });
    db = new pg.Client({ connectionString: kipper.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await kipper?.stop();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => kipper.data<T>(query, variables);
  const deploymentStatus = async (namespace: string, name: string) =>
    (await fetch(`${kipper.sim.url}/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)).status;
  const revisionStatus = async (appId: string, number: number) =>
    (await db.query<{ status: string }>('SELECT status FROM revision WHERE app_id = $1 AND number = $2', [appId, number])).rows[0]?.status;
  const deploy = async (name: string, image: string) =>
    (await gql<{ deployApp: { id: string } }>(
      'mutation($input: DeployAppInput!) { deployApp(input: $input) { id } }',
      { input: { project: 'shop', name, image, port: 8080, replicas: 3 } },
    )).deployApp.id;

  it('removes what the worker (re)creates after the delete, and the worker goes on with other apps', async () => {
    await gql('mutation { createProject(input: { name: "shop", environments: ["test"] }) { name } }');
    const names = ['api', 'web', 'jobs'];
    // Each app has a live revision (so a failed rollout rolls back), then a slow second rollout.
    const ids = await Promise.all(names.map((name) => deploy(name, `registry.example.com/${name}:v1`)));
    for (const id of ids) await waitFor(async () => (await revisionStatus(id, 1)) === 'live', { timeoutMs: 60_000, describe: () => kipper.workers!.output() });
    for (const name of names) {
      await gql('mutation($app: AppRef!, $image: String!) { updateImage(app: $app, image: $image) { number } }', {
        app: { project: 'shop', environment: 'test', name },
        image: `registry.example.com/${name}:v2`,
      });
    }
    for (const id of ids) await waitFor(async () => (await revisionStatus(id, 2)) === 'rolling_out', { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500)); // well inside the rollouts

    await Promise.all(
      names.map((name) => gql('mutation($app: AppRef!) { deleteApp(app: $app) }', { app: { project: 'shop', environment: 'test', name } })),
    );
    expect((await db.query('SELECT count(*)::int AS n FROM app')).rows[0].n).toBe(0);

    // No Deployment of them is left, and none comes back (3 s without one, after the worker is done).
    let absentSince = 0;
    await waitFor(
      async () => {
        const statuses = await Promise.all(names.map((name) => deploymentStatus('shop-test', name)));
        if (statuses.some((s) => s !== 404)) absentSince = 0;
        else absentSince ||= Date.now();
        return absentSince > 0 && Date.now() - absentSince >= 3000;
      },
      {
        timeoutMs: 45_000,
        intervalMs: 100,
        describe: async () =>
          `deployments: ${JSON.stringify(await Promise.all(names.map((n) => deploymentStatus('shop-test', n))))}\n${kipper.workers!.output()}`,
      },
    );
    for (const name of names) {
      expect((await fetch(`${kipper.sim.url}/api/v1/namespaces/shop-test/services/${name}`)).status).toBe(404);
    }

    // The worker is healthy: a later deploy of another app goes live.
    const other = await deploy('after', 'registry.example.com/after:v1');
    await waitFor(async () => (await revisionStatus(other, 1)) === 'live', { timeoutMs: 60_000, describe: () => kipper.workers!.output() });
    expect(await deploymentStatus('shop-test', 'after')).toBe(200);
    expect(kipper.workers!.output()).not.toMatch(/ error /);
  });
});
