import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Revision } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, ok, updateImage } from './helpers.js';

/** auditLog: filters, pages, what webhooks and Kipper itself record, and refused filters. */
let k: RunningKipper;
let shopApi: App;

const FIELDS = 'id at actor actorKind action target details sourceAddress requestId project { name } app { name }';

interface Entry {
  id: string;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  target: string;
  details: string;
  sourceAddress: string | null;
  requestId: string | null;
  project: { name: string } | null;
  app: { name: string } | null;
}
interface Page {
  entries: Entry[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function auditLog(variables: Record<string, unknown>) {
  return k.graphql<{ auditLog: Page }>(
    `query($project: String, $app: AppRef, $actor: String, $action: String, $since: DateTimeISO, $first: Int, $after: String) {
      auditLog(project: $project, app: $app, actor: $actor, action: $action, since: $since, first: $first, after: $after) { entries { ${FIELDS} } pageInfo { hasNextPage endCursor } }
    }`,
    variables,
  );
}
const page = async (variables: Record<string, unknown>) => ok(await auditLog(variables)).auditLog;

beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'shop');
  await createProject(k, 'blog');
  await deployApp(k, { project: 'shop', environment: 'test', name: 'api', image: 'registry.example.com/api:v1' });
  await deployApp(k, { project: 'shop', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
  await deployApp(k, { project: 'blog', environment: 'test', name: 'api', image: 'registry.example.com/blog:v1' });
  for (let i = 2; i <= 7; i++) await updateImage(k, { namespace: 'shop-test', name: 'api' }, `registry.example.com/api:v${i}`);
  shopApi = await k.kipper.services.dataSource.getRepository(App).findOneByOrFail({ namespace: 'shop-test', name: 'api' });
});
afterAll(async () => {
  await k?.stop();
});

describe('auditLog', () => {
  it('filters by project, app, actor and action (exact or prefix), newest first', async () => {
    const blog = await page({ project: 'blog' });
    expect(blog.entries.map((e) => e.action)).toEqual(['revision.manual', 'app.create', 'project.create']);
    expect(blog.entries.every((e) => e.project?.name === 'blog')).toBe(true);

    const api = await page({ app: { namespace: 'shop-test', name: 'api' } });
    expect(api.entries).toHaveLength(8);
    expect(api.entries.every((e) => e.target === 'shop-test/api' && e.app?.name === 'api')).toBe(true);
    const times = api.entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await page({ project: 'shop', action: 'revision.' })).entries.map((e) => e.target)).toEqual([...Array<string>(6).fill('shop-test/api'), 'shop-test/web', 'shop-test/api']);
    expect((await page({ action: 'app.*' })).entries.map((e) => e.target)).toEqual(['blog-test/api', 'shop-test/web', 'shop-test/api']);
    expect((await page({ action: 'app.create', project: 'shop' })).entries).toHaveLength(2);
    expect((await page({ actor: 'nobody' })).entries).toEqual([]);
    expect((await page({ actor: 'admin' })).entries.length).toBeGreaterThan(10);
    expect((await page({ since: new Date(Date.now() + 60_000).toISOString() })).entries).toEqual([]);
  });

  it('pages with an opaque cursor without skipping or repeating entries', async () => {
    const all = (await page({ first: 500 })).entries.map((e) => e.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const next: Page = await page({ first: 4, after });
      seen.push(...next.entries.map((e) => e.id));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('records a webhook delivery as its token, with the caller address, in the same statement as the revision', async () => {
    const { token } = await k.kipper.services.webhooks.enable(shopApi, 'admin');
    const res = await fetch(`${k.url}/api/v1/webhook/shop-test/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': token, 'x-request-id': 'ci-run-42' },
      body: JSON.stringify({ image: 'registry.example.com/api:from-ci', commit: 'abc123f' }),
    });
    expect(res.status).toBe(202);
    const [entry] = (await page({ actor: 'webhook:kipper', first: 1 })).entries;
    expect(entry).toMatchObject({ actorKind: 'WEBHOOK', action: 'revision.webhook', target: 'shop-test/api', requestId: 'ci-run-42', sourceAddress: expect.stringMatching(/127\.0\.0\.1/), project: { name: 'shop' } });
    expect(JSON.parse(entry!.details)).toMatchObject({ image: 'registry.example.com/api:from-ci', commit: 'abc123f', status: 'queued' });
  });

  it('records what Kipper decides on its own (a rollout that went live, one that failed), without address', async () => {
    const revisions = k.kipper.services.dataSource.getRepository(Revision);
    const live = await revisions.findOneByOrFail({ appId: shopApi.id, number: 1 });
    const failed = await revisions.findOneByOrFail({ appId: shopApi.id, number: 2 });
    await k.kipper.services.revisionLifecycle.startRollout(shopApi, live);
    await k.kipper.services.revisionLifecycle.goLive(shopApi, live);
    await k.kipper.services.revisionLifecycle.startRollout(shopApi, failed);
    await k.kipper.services.revisionLifecycle.failRollout(shopApi, failed, 'ProgressDeadlineExceeded');
    const entries = (await page({ actor: 'kipper', app: { namespace: 'shop-test', name: 'api' } })).entries;
    // Newer revisions are queued: they go out instead of an automatic rollback.
    expect(entries.map((e) => [e.action, JSON.parse(e.details)])).toEqual([
      ['revision.fail', { revision: 2, reason: 'ProgressDeadlineExceeded', rollout: true }],
      ['revision.live', { revision: 1, image: 'registry.example.com/api:v1', digest: null, before: { revision: null, image: null }, after: { revision: 1, image: 'registry.example.com/api:v1' } }],
    ]);
    expect(entries.every((e) => e.actorKind === 'KIPPER' && e.sourceAddress === null && e.requestId === null)).toBe(true);
  });

  it('refuses bad filters with a clear message', async () => {
    const refused = async (variables: Record<string, unknown>) => {
      const res = await auditLog(variables);
      return { code: codeOf(res), message: res.errors![0]!.message };
    };
    expect(await refused({ project: 'nope' })).toEqual({ code: 'PROJECT_NOT_FOUND', message: 'Project nope does not exist' });
    expect((await refused({ app: { namespace: 'shop-test', name: 'nope' } })).code).toBe('APP_NOT_FOUND');
    expect(await refused({ first: 0 })).toEqual({ code: 'VALIDATION_FAILED', message: 'first must be from 1 to 500, got 0' });
    expect((await refused({ first: 501 })).code).toBe('VALIDATION_FAILED');
    expect(await refused({ after: 'bm90LWEtY3Vyc29y' })).toEqual({ code: 'VALIDATION_FAILED', message: 'after is not a cursor of the audit log: pass the endCursor of the previous page' });
    expect((await refused({ since: 'yesterday' })).code).toBe('VALIDATION_FAILED');
    expect((await refused({ action: "app.%' OR 1=1" })).code).toBe('VALIDATION_FAILED');
  });
});
