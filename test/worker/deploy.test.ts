import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub, type KipperPubSub, DeployEventType, topics, type DeployEventPayload } from '@kipper/core';
import { connectCluster, type Cluster } from '@kipper/kube';
import pg from 'pg';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { waitFor, waitForSubscriber } from './harness.js';

/** The whole path: GraphQL + REST webhook (api in-process), a worker process, the simulator. */
describe('worker: one webhook deploy, end to end', () => {
  let kipper: RunningKipper;
  let db: pg.Client;
  let pubsub: KipperPubSub;
  let cluster: Cluster;

  beforeAll(async () => {
    kipper = await startKipper({ worker: true, rolloutStepMs: 100 });
    db = new pg.Client({ connectionString: kipper.databaseUrl });
    await db.connect();
    pubsub = createPubSub(kipper.redisUrl, kipper.queuePrefix);
    cluster = connectCluster({ kind: 'server', server: kipper.sim.url });
  });
  afterAll(async () => {
    cluster?.close();
    await pubsub?.close();
    await db?.end();
    await kipper?.stop();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => kipper.data<T>(query, variables);
  const statuses = async (appId: string) =>
    (await db.query<{ number: number; status: string; image: string }>(
      'SELECT number, status, image FROM revision WHERE app_id = $1 ORDER BY number',
      [appId],
    )).rows;

  it('one webhook → queued → rolling_out → live, and the Deployment runs the image', async () => {
    await gql(`mutation { createProject(input: { name: "shop", environments: ["test"] }) { name } }`);
    const { deployApp } = await gql<{ deployApp: { id: string; namespace: string } }>(
      `mutation { deployApp(input: { project: "shop", name: "api", image: "registry.example.com/api:v1", port: 8080, replicas: 2 }) { id namespace } }`,
    );
    const appId = deployApp.id;
    expect(deployApp.namespace).toBe('shop-test');
    await waitFor(async () => (await statuses(appId))[0]?.status === 'live', { timeoutMs: 20_000 });

    const { enableWebhook } = await gql<{ enableWebhook: { url: string; token: string } }>(
      `mutation { enableWebhook(app: { project: "shop", environment: "test", name: "api" }) { url token } }`,
    );

    const events: DeployEventPayload[] = [];
    const subscription = pubsub.subscribe<DeployEventPayload>(topics.app(appId));
    const reading = (async () => {
      for await (const event of subscription) {
        events.push(event);
        if (event.revisionNumber === 2 && (event.type === DeployEventType.LIVE || event.type === DeployEventType.FAILED)) break;
      }
    })();
    await waitForSubscriber(kipper.redisUrl, pubsub.channel(topics.app(appId)));

    const response = await fetch(enableWebhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': enableWebhook.token },
      body: JSON.stringify({ image: 'registry.example.com/api:v2', commit: 'def456a' }),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { revision: { number: number; status: string } };
    expect(body.revision).toMatchObject({ number: 2, status: 'queued' });

    await waitFor(async () => (await statuses(appId))[1]?.status === 'live', { timeoutMs: 20_000 });
    await reading;
    const mine = events.filter((e) => e.revisionNumber === 2).map((e) => e.type);
    expect(mine[0]).toBe(DeployEventType.QUEUED);
    expect(mine).toContain(DeployEventType.ROLLING_OUT);
    expect(mine).toContain(DeployEventType.PROGRESS);
    expect(mine.at(-1)).toBe(DeployEventType.LIVE);
    expect(mine.indexOf(DeployEventType.ROLLING_OUT)).toBeLessThan(mine.indexOf(DeployEventType.LIVE));

    const { rows } = await db.query<{ progress: unknown; current: boolean; started_at: Date | null }>(
      `SELECT r.progress, a.current_revision_id = r.id AS current, r.started_at
         FROM revision r JOIN app a ON a.id = r.app_id WHERE r.app_id = $1 AND r.number = 2`,
      [appId],
    );
    expect(rows[0]).toMatchObject({ progress: { updated: 2, ready: 2, desired: 2 }, current: true });
    expect(await cluster.readImage('shop-test', 'api')).toBe('registry.example.com/api:v2');
    expect((await statuses(appId)).map((r) => r.status)).toEqual(['live', 'live']);
  });
});
