import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, ok } from './helpers.js';

/** GraphQL load cannot starve CI's webhooks, and no GraphQL statement runs unbounded. */

let k: RunningKipper;
let token: string;
beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'iso');
  await deployApp(k, { project: 'iso', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
  token = ok(
    await k.graphql<{ enableWebhook: { token: string } }>('mutation { enableWebhook(app: { namespace: "iso-test", name: "web" }) { token } }'),
  ).enableWebhook.token;
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

describe('the database pools', () => {
  it('GraphQL statements are cancelled past KIPPER_GRAPHQL_STATEMENT_TIMEOUT_MS', async () => {
    const [setting] = (await k.kipper.services.dataSource.query('SHOW statement_timeout')) as { statement_timeout: string }[];
    expect(setting!.statement_timeout).toBe('5s');
    await expect(k.kipper.services.dataSource.query('SELECT pg_sleep(6)')).rejects.toMatchObject({ code: '57014' });
  }, 20_000);

  it('a webhook is accepted while every GraphQL connection is busy', async () => {
    // Ten slow statements hold the whole GraphQL pool (its default size).
    const busy = Array.from({ length: 10 }, () => k.kipper.services.dataSource.query('SELECT pg_sleep(4)'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const res = await fetch(`${k.url}/api/v1/webhook/iso-test/web`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': token },
      body: JSON.stringify({ image: 'registry.example.com/web:v2', commit: 'abc123f' }),
    });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(202);
    expect(((await res.json()) as { revision: { number: number } }).revision.number).toBe(2);
    // Had it waited for a GraphQL connection, it would have taken the 3.8 s the sleeps have left.
    expect(elapsed).toBeLessThan(3_000);
    await Promise.all(busy);
  }, 20_000);
});
