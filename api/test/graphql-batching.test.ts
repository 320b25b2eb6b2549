import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, markLive, ok, updateImage } from './helpers.js';

/** Nested reads cost a constant number of SQL statements, however many rows they return. */

const TREE = '{ projects { name environments { name apps { name currentRevision { number image current } } } } }';
const HISTORY = (namespace: string) =>
  `{ app(ref: { namespace: "${namespace}", name: "web" }) { revisions(first: 100) { nodes { number image current rollbackTo app { name } promotedFrom { environment revision } build { status } } } } }`;

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

/** SQL statements the api runs while answering `query`. */
async function statementsFor(query: string): Promise<number> {
  const spy = vi.spyOn(PostgresQueryRunner.prototype, 'query');
  try {
    ok(await k.graphql(query));
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

async function appsIn(project: string, count: number): Promise<void> {
  await createProject(k, project, ['test', 'prod']);
  for (let i = 0; i < count; i++) {
    for (const environment of ['test', 'prod']) {
      const app = await deployApp(k, { project, environment, name: `app${i}`, image: `registry.example.com/app${i}:v1` });
      await markLive(k, app.id, 1);
    }
  }
}

async function historyOf(project: string, revisions: number): Promise<string> {
  await createProject(k, project, ['test']);
  const app = await deployApp(k, { project, environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
  await markLive(k, app.id, 1);
  for (let i = 2; i <= revisions; i++) {
    await updateImage(k, { namespace: `${project}-test`, name: 'web' }, `registry.example.com/web:v${i}`);
    await markLive(k, app.id, i);
  }
  return `${project}-test`;
}

describe('GraphQL reads batch their nested loads', () => {
  it('projects → environments → apps → current revision: the same statements for 2 apps as for 24', async () => {
    await appsIn('few', 1);
    const few = await statementsFor(TREE);
    await appsIn('many', 11);
    const many = await statementsFor(TREE);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(8);
  });

  it('a page of history: the same statements for 3 revisions as for 30', async () => {
    const short = await statementsFor(HISTORY(await historyOf('short', 3)));
    const long = await statementsFor(HISTORY(await historyOf('long', 30)));
    expect(long).toBe(short);
  });
});
