import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  App,
  AppSource,
  DeliveryHandler,
  DeliveryService,
  DeliverySource,
  Environment,
  ErrorCode,
  KipperError,
  Project,
  Revision,
  RevisionStatus,
  RevisionTrigger,
  WebhookDelivery,
  openDatabase,
  type DeliveryRevisions,
  type FreshOutcome,
  type ParsedDelivery,
  type RecordedResponse,
  type WebhookOutcome,
} from '@kipper/core';

/** The delivery protocol (replay, claim, record or release, the queue-down path) on a fresh PostgreSQL database. */

const base = process.env.KIPPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `kipper_deliveries_${randomUUID().slice(0, 8)}`;
const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();

let dataSource: DataSource;
let app: App;

beforeAll(async () => {
  dataSource = await openDatabase(url);
  const project = await dataSource.getRepository(Project).save({ name: 'shop', displayName: 'shop' });
  const environment = await dataSource.getRepository(Environment).save({ projectId: project.id, name: 'test', position: 0, namespace: 'shop-test' });
  app = await dataSource.getRepository(App).save(
    dataSource.getRepository(App).create({
      projectId: project.id,
      environmentId: environment.id,
      namespace: 'shop-test',
      name: 'api',
      source: AppSource.IMAGE,
      image: 'registry.example.com/api:v1',
      gitUrl: null,
      gitBranch: null,
      port: 8080,
      replicas: 1,
    }),
  );
});

afterAll(async () => {
  await dataSource?.destroy();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

beforeEach(async () => {
  await dataSource.query('DELETE FROM webhook_delivery');
  await dataSource.query('DELETE FROM revision');
});

/** The REST shim's answers, reduced to what the protocol needs to record and replay. */
function respond(outcome: FreshOutcome): RecordedResponse {
  switch (outcome.kind) {
    case 'accepted':
      return { statusCode: 202, body: { revision: outcome.revision, statusUrl: outcome.statusUrl } };
    case 'already-live':
    case 'ping':
    case 'ignored':
      return { statusCode: 200, body: { kind: outcome.kind } };
    case 'refused':
      return { statusCode: outcome.code === ErrorCode.QUEUE_UNAVAILABLE ? 503 : 500, body: { error: { code: outcome.code, message: outcome.message } } };
  }
}

/** Commits revisions like RevisionService does, or fails the way a test asks it to. */
function fakeRevisions() {
  let number = 0;
  const state = { calls: 0, fail: undefined as ((revision: Revision) => Error) | undefined };
  const commit = async (image: string | null, commitSha: string | null): Promise<Revision> => {
    state.calls++;
    const revision = await dataSource.getRepository(Revision).save(
      dataSource.getRepository(Revision).create({ appId: app.id, number: ++number, image, commit: commitSha, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper', status: RevisionStatus.QUEUED }),
    );
    if (state.fail) throw state.fail(revision);
    return revision;
  };
  const revisions: DeliveryRevisions = {
    deployImage: async (_app, input) => commit(input.image, input.commit ?? null),
    requestBuild: async (_app, input) => commit(null, input.commit ?? null),
    heldReason: async () => null,
  };
  return { revisions, state };
}

function handlerWith(revisions: DeliveryRevisions, logs: string[] = [], duplicateWaitMs = 2_000) {
  return new DeliveryHandler({
    revisions,
    deliveries: new DeliveryService({ dataSource }),
    webhooks: { revisionUrl: (_app, n) => `http://kipper.test/api/v1/webhook/shop-test/api/revisions/${n}` },
    respond,
    duplicateWaitMs,
    log: (message) => logs.push(message),
  });
}

function delivery(body: unknown, key?: string, event = { source: DeliverySource.KIPPER, event: 'deploy' }): ParsedDelivery {
  return { app, ...event, key, body };
}

const deploy = (image = 'registry.example.com/api:abc123f') => ({ image, commit: 'abc123f' });

async function rows(): Promise<WebhookDelivery[]> {
  return dataSource.getRepository(WebhookDelivery).find({ order: { receivedAt: 'ASC' } });
}

async function revisionCount(): Promise<number> {
  return dataSource.getRepository(Revision).count();
}

function expectAccepted(outcome: WebhookOutcome, number: number): void {
  expect(outcome).toMatchObject({ kind: 'accepted', app: 'shop-test/api', revision: { number, status: 'queued' }, statusUrl: expect.stringMatching(new RegExp(`/revisions/${number}$`)) });
}

describe('DeliveryHandler', () => {
  it('without a key: every delivery deploys and is recorded on its own', async () => {
    const handler = handlerWith(fakeRevisions().revisions);
    expectAccepted(await handler.handle(delivery(deploy())), 1);
    expectAccepted(await handler.handle(delivery(deploy())), 2);
    expect(await rows()).toMatchObject([
      { deliveryKey: null, outcome: 'accepted', statusCode: 202, message: null },
      { deliveryKey: null, outcome: 'accepted', statusCode: 202, message: null },
    ]);
  });

  it('a repeated key gets the first answer, and creates nothing', async () => {
    const { revisions, state } = fakeRevisions();
    const handler = handlerWith(revisions);
    const first = await handler.handle(delivery(deploy(), 'k1'));
    expectAccepted(first, 1);
    const again = await handler.handle(delivery(deploy('registry.example.com/api:other'), 'k1'));
    expect(again).toEqual({ kind: 'replayed', response: respond(first as FreshOutcome) });
    expect(state.calls).toBe(1);
    expect(await rows()).toMatchObject([{ deliveryKey: 'k1', outcome: 'accepted', statusCode: 202 }]);
  });

  it('concurrent identical deliveries: one deploys, the others wait and answer its response', async () => {
    const { revisions, state } = fakeRevisions();
    const handler = handlerWith(revisions);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => handler.handle(delivery(deploy(), 'race'))));
    expect(state.calls).toBe(1);
    const fresh = outcomes.filter((o) => o.kind === 'accepted');
    expect(fresh).toHaveLength(1);
    const replayed = outcomes.filter((o) => o.kind === 'replayed');
    expect(replayed).toHaveLength(5);
    for (const outcome of replayed) expect(outcome).toEqual({ kind: 'replayed', response: respond(fresh[0]!) });
    expect(await rows()).toHaveLength(1);
  });

  it('a refused delivery writes nothing and leaves its key free for the fixed retry', async () => {
    const handler = handlerWith(fakeRevisions().revisions);
    expect(await handler.handle(delivery({ image: 'nope nope' }, 'fix'))).toMatchObject({ kind: 'refused', code: ErrorCode.INVALID_IMAGE });
    expect(await handler.handle(delivery({ image: 'registry.example.com/api:v1', commit: 'x'.repeat(65) }, 'fix'))).toMatchObject({
      kind: 'refused',
      code: ErrorCode.VALIDATION_FAILED,
    });
    expect(await rows()).toEqual([]);
    expectAccepted(await handler.handle(delivery(deploy(), 'fix')), 1);
  });

  it('a failed deploy releases its key: refused INTERNAL with the cause for the log; the retry deploys', async () => {
    const { revisions, state } = fakeRevisions();
    const handler = handlerWith(revisions);
    state.fail = () => new Error('connection terminated unexpectedly');
    const failed = await handler.handle(delivery(deploy(), 'k2'));
    expect(failed).toMatchObject({ kind: 'refused', code: ErrorCode.INTERNAL });
    expect(failed.kind === 'refused' && failed.cause).toBeInstanceOf(Error);
    expect(await rows()).toEqual([]);
    state.fail = undefined;
    expectAccepted(await handler.handle(delivery(deploy(), 'k2')), 2);
  });

  it('a KipperError keeps its code and message', async () => {
    const { revisions, state } = fakeRevisions();
    state.fail = () => new KipperError(ErrorCode.WRONG_APP_SOURCE, 'this app builds from git');
    expect(await handlerWith(revisions).handle(delivery(deploy()))).toMatchObject({ kind: 'refused', code: ErrorCode.WRONG_APP_SOURCE, message: 'this app builds from git' });
  });

  it('QUEUE_UNAVAILABLE after the revision was committed: refused, recorded as accepted; a repeat answers the revision as it is now', async () => {
    const { revisions, state } = fakeRevisions();
    const handler = handlerWith(revisions);
    state.fail = (revision) =>
      new KipperError(ErrorCode.QUEUE_UNAVAILABLE, `Revision #${revision.number} is recorded and will be deployed when the queue is back`, { revisionId: revision.id });
    const first = await handler.handle(delivery(deploy(), 'k3'));
    expect(first).toMatchObject({ kind: 'refused', code: ErrorCode.QUEUE_UNAVAILABLE, message: 'Revision #1 is recorded and will be deployed when the queue is back' });
    const [recorded] = await rows();
    expect(recorded).toMatchObject({ deliveryKey: 'k3', outcome: 'accepted', statusCode: 503, message: 'Revision #1 is recorded and will be deployed when the queue is back' });
    expect(recorded!.revisionId).toEqual(expect.any(String));

    // Meanwhile the sweeper queued it and the worker started it.
    await dataSource.getRepository(Revision).update({ id: recorded!.revisionId! }, { status: RevisionStatus.ROLLING_OUT });
    state.fail = undefined;
    const repeat = await handler.handle(delivery(deploy(), 'k3'));
    expect(repeat).toMatchObject({ kind: 'replayed', response: { statusCode: 202, body: { revision: { number: 1, status: 'rolling_out' } } } });
    expect(await rows()).toMatchObject([{ outcome: 'accepted', statusCode: 202, message: null, revisionId: recorded!.revisionId }]);
    expect(await handler.handle(delivery(deploy(), 'k3'))).toEqual(repeat);
    expect(state.calls).toBe(1);
    expect(await revisionCount()).toBe(1);
  });

  it('QUEUE_UNAVAILABLE without a key is recorded too', async () => {
    const { revisions, state } = fakeRevisions();
    state.fail = (revision) => new KipperError(ErrorCode.QUEUE_UNAVAILABLE, 'Revision #1 is recorded', { revisionId: revision.id });
    expect(await handlerWith(revisions).handle(delivery(deploy()))).toMatchObject({ kind: 'refused', code: ErrorCode.QUEUE_UNAVAILABLE });
    expect(await rows()).toMatchObject([{ deliveryKey: null, outcome: 'accepted', statusCode: 503 }]);
  });

  it('a key still being handled elsewhere: CONFLICT after the wait, and nothing deployed', async () => {
    const { revisions, state } = fakeRevisions();
    await new DeliveryService({ dataSource }).claim(app.id, 'busy', DeliverySource.KIPPER, 'deploy');
    const outcome = await handlerWith(revisions, [], 200).handle(delivery(deploy(), 'busy'));
    expect(outcome).toMatchObject({ kind: 'refused', code: ErrorCode.CONFLICT, message: expect.stringContaining('still being handled') });
    expect(state.calls).toBe(0);
  });

  it('a claim left by a process that died (older than 2 minutes) is taken over', async () => {
    const deliveries = new DeliveryService({ dataSource });
    const claim = await deliveries.claim(app.id, 'orphan', DeliverySource.KIPPER, 'deploy');
    expect(claim.won).toBe(true);
    await dataSource.query(`UPDATE webhook_delivery SET received_at = now() - interval '3 minutes' WHERE delivery_key = 'orphan'`);
    expectAccepted(await handlerWith(fakeRevisions().revisions).handle(delivery(deploy(), 'orphan')), 1);
    expect(await rows()).toMatchObject([{ deliveryKey: 'orphan', outcome: 'accepted' }]);
  });

  it('provider events that ask for nothing are recorded as ignored and replayed by key', async () => {
    const { revisions, state } = fakeRevisions();
    const handler = handlerWith(revisions);
    const github = (event: string) => ({ source: DeliverySource.GITHUB, event });
    expect(await handler.handle(delivery({ zen: 'x' }, 'ping-1', github('ping')))).toEqual({ kind: 'ping' });
    const push = await handler.handle(delivery({ ref: 'refs/heads/main', after: 'a'.repeat(40) }, 'push-1', github('push')));
    expect(push).toEqual({ kind: 'ignored', reason: expect.stringContaining('image app') });
    expect(await handler.handle(delivery({}, 'ping-1', github('ping')))).toEqual({ kind: 'replayed', response: { statusCode: 200, body: { kind: 'ping' } } });
    expect(await rows()).toMatchObject([
      { deliveryKey: 'ping-1', source: 'github', event: 'ping', outcome: 'ignored', message: 'ping', revisionId: null },
      { deliveryKey: 'push-1', source: 'github', event: 'push', outcome: 'ignored', revisionId: null },
    ]);
    expect(state.calls).toBe(0);
  });
});
