import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AppSource, type App, type DeliveryInput, type DeliveryResult, type DeliveryRevisions, type DeliveryService, DeliveryOutcome, type WebhookDelivery, ErrorCode, KipperError, RevisionStatus, type Revision, type WebhookService } from '@kipper/core';
import { createWebhookRouter } from '../src/webhooks/webhook.routes.js';

/** The router alone, with in-memory stand-ins for the services: the failure paths a real queue rarely shows. */

const TOKEN = 'a'.repeat(64);
const app = { id: '00000000-0000-4000-8000-000000000001', namespace: 'shop-test', name: 'api', source: AppSource.IMAGE, gitUrl: null, gitBranch: null } as App;

type Authenticate = (ns: string, name: string, c: { kipperToken?: string }) => Promise<App | null>;
const byToken: Authenticate = async (_ns, _name, c) => (c.kipperToken === TOKEN ? app : null);

function fakeWebhooks(authenticate: Authenticate = byToken): WebhookService {
  return {
    authenticate,
    secretMissing: async () => null,
    revisionUrl: (_app: App, n: number) => `http://kipper.test/api/v1/webhook/shop-test/api/revisions/${n}`,
  } as unknown as WebhookService;
}

/** A ClusterError of @kipper/kube as the api sees it (recognised by shape). */
function clusterError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'ClusterError', code });
}

function fakeDeliveries(revisionsById: Record<string, Revision> = {}) {
  const rows: (WebhookDelivery & { id: string })[] = [];
  let next = 1;
  const service = {
    rows,
    findByKey: async (appId: string, key: string) => rows.find((r) => r.appId === appId && r.deliveryKey === key) ?? null,
    record: async (input: DeliveryInput) => {
      const row = { ...input, id: String(next++), receivedAt: new Date() } as WebhookDelivery;
      rows.push(row);
      return row;
    },
    claim: async (appId: string, key: string, source: string, event: string) => {
      const existing = rows.find((r) => r.appId === appId && r.deliveryKey === key);
      if (existing) return { won: false, delivery: existing };
      const row = { id: String(next++), appId, deliveryKey: key, source, event, outcome: DeliveryOutcome.PENDING, statusCode: 0, response: {} } as unknown as WebhookDelivery;
      rows.push(row);
      return { won: true, id: row.id };
    },
    complete: async (id: string, result: DeliveryResult) => {
      Object.assign(rows.find((r) => r.id === id)!, result);
    },
    release: async (id: string) => {
      rows.splice(rows.findIndex((r) => r.id === id), 1);
    },
    revisionOf: async (delivery: WebhookDelivery) => (delivery.revisionId ? (revisionsById[delivery.revisionId] ?? null) : null),
    // These failure paths never reach an app with a live revision.
    liveWithImage: async () => null,
  };
  return service;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function start(revisions: DeliveryRevisions, deliveries = fakeDeliveries(), logs: string[] = [], webhooks = fakeWebhooks()) {
  const web = express();
  web.use(
    '/api/v1/webhook',
    createWebhookRouter(
      { revisions, webhooks, deliveries: deliveries as unknown as DeliveryService },
      { log: (m) => logs.push(m) },
    ),
  );
  server = createServer(web);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/webhook`;
  const post = async (headers: Record<string, string> = {}, path = 'shop-test/api', body: string = JSON.stringify({ image: 'registry.example.com/api:abc123f', commit: 'abc123f' })) => {
    const res = await fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Kipper-Token': TOKEN, ...headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { post, deliveries, logs };
}

const unusedRevisions: DeliveryRevisions = {
  deployImage: async () => {
    throw new Error('not expected');
  },
  requestBuild: async () => {
    throw new Error('not expected');
  },
  heldReason: async () => null,
};

describe('webhook router failure paths', () => {
  it('QUEUE_UNAVAILABLE after the revision was committed: 503 with the message, recorded; a repeat creates nothing and answers 202 with the revision', async () => {
    let calls = 0;
    const revisions: DeliveryRevisions = {
      deployImage: async () => {
        calls++;
        throw new KipperError(ErrorCode.QUEUE_UNAVAILABLE, 'Revision #7 is recorded and will be deployed when the queue is back', { revision: 7, revisionId: 'rev-7' });
      },
      requestBuild: async () => ({}) as Revision,
      heldReason: async () => null,
    };
    // Meanwhile the sweeper queued it and the worker started the rollout.
    const rev7 = { id: 'rev-7', number: 7, status: RevisionStatus.ROLLING_OUT, image: 'registry.example.com/api:abc123f', commit: 'abc123f' } as Revision;
    const { post, deliveries } = await start(revisions, fakeDeliveries({ 'rev-7': rev7 }));
    const first = await post({ 'Idempotency-Key': 'k1' });
    expect(first).toEqual({ status: 503, body: { error: { code: 'QUEUE_UNAVAILABLE', message: 'Revision #7 is recorded and will be deployed when the queue is back' } } });
    expect(deliveries.rows).toMatchObject([{ deliveryKey: 'k1', statusCode: 503, outcome: 'accepted', revisionId: 'rev-7' }]);
    const accepted = {
      status: 202,
      body: {
        revision: { number: 7, status: 'rolling_out', image: 'registry.example.com/api:abc123f', commit: 'abc123f' },
        app: 'shop-test/api',
        statusUrl: 'http://kipper.test/api/v1/webhook/shop-test/api/revisions/7',
      },
    };
    expect(await post({ 'Idempotency-Key': 'k1' })).toEqual(accepted);
    expect(deliveries.rows).toMatchObject([{ deliveryKey: 'k1', statusCode: 202, outcome: 'accepted', revisionId: 'rev-7', response: accepted.body }]);
    expect(await post({ 'Idempotency-Key': 'k1' })).toEqual(accepted);
    expect(calls).toBe(1);
  });

  it('an unexpected failure: 500 INTERNAL without details, logged, and the key released for a retry', async () => {
    let fail = true;
    const revisions: DeliveryRevisions = {
      deployImage: async () => {
        if (fail) throw new Error('connection terminated unexpectedly');
        return { id: 'rev-8', number: 8, status: RevisionStatus.QUEUED, image: 'registry.example.com/api:abc123f', commit: 'abc123f' } as Revision;
      },
      requestBuild: async () => ({}) as Revision,
      heldReason: async () => null,
    };
    const logs: string[] = [];
    const { post, deliveries } = await start(revisions, fakeDeliveries(), logs);
    const failed = await post({ 'Idempotency-Key': 'k2' });
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(JSON.stringify(failed.body)).not.toContain('connection terminated');
    expect(logs.join('\n')).toContain('connection terminated unexpectedly');
    expect(deliveries.rows).toHaveLength(0);
    fail = false;
    const retried = await post({ 'Idempotency-Key': 'k2' });
    expect(retried).toEqual({
      status: 202,
      body: {
        revision: { number: 8, status: 'queued', image: 'registry.example.com/api:abc123f', commit: 'abc123f' },
        app: 'shop-test/api',
        statusUrl: 'http://kipper.test/api/v1/webhook/shop-test/api/revisions/8',
      },
    });
  });

  it('a KipperError from RevisionService keeps its code and status (the map in http-status.ts) and its message', async () => {
    const revisions: DeliveryRevisions = {
      deployImage: async () => {
        throw new KipperError(ErrorCode.INVALID_IMAGE, 'registry.example.com/api:abc123f is not allowed here');
      },
      requestBuild: async () => ({}) as Revision,
      heldReason: async () => null,
    };
    const { post } = await start(revisions);
    expect(await post()).toEqual({ status: 422, body: { error: { code: 'INVALID_IMAGE', message: 'registry.example.com/api:abc123f is not allowed here' } } });
  });

  it('cluster failures after authentication keep their code but answer a fixed message, without the cluster address', async () => {
    const failures: unknown[] = [
      new KipperError(ErrorCode.CLUSTER_UNAVAILABLE, 'The Kubernetes API is not reachable: connect ECONNREFUSED 10.96.0.1:443'),
      clusterError('CLUSTER_FORBIDDEN', 'secrets is forbidden: User "system:serviceaccount:kipper:api" at https://10.96.0.1:443'),
      new KipperError(ErrorCode.INTERNAL, 'relation "revision" does not exist at 10.96.0.7'),
    ];
    let next = 0;
    const revisions: DeliveryRevisions = {
      deployImage: async () => {
        throw failures[next++];
      },
      requestBuild: async () => ({}) as Revision,
      heldReason: async () => null,
    };
    const logs: string[] = [];
    const { post } = await start(revisions, fakeDeliveries(), logs);
    const answers = [await post(), await post(), await post()];
    expect(answers.map((a) => [a.status, (a.body.error as { code: string }).code])).toEqual([
      [503, 'CLUSTER_UNAVAILABLE'],
      [502, 'CLUSTER_ERROR'],
      [500, 'INTERNAL'],
    ]);
    for (const answer of answers) {
      expect(JSON.stringify(answer.body)).not.toMatch(/10\.96|ECONNREFUSED|forbidden|relation/);
      expect((answer.body.error as { message: string }).message).toContain('the api log has the details');
    }
    expect(logs.join('\n')).toContain('ECONNREFUSED 10.96.0.1:443');
    expect(logs.join('\n')).toContain('secrets is forbidden');
  });
});

describe('webhook router: authentication failures', () => {
  it('a failure while checking credentials (cluster down, forbidden, database) answers the same 401 as a wrong token, and is logged', async () => {
    const failures: unknown[] = [
      new KipperError(ErrorCode.CLUSTER_UNAVAILABLE, 'The Kubernetes API is not reachable: connect ECONNREFUSED 10.96.0.1:443'),
      clusterError('CLUSTER_FORBIDDEN', 'secrets "api-webhook" is forbidden at https://10.96.0.1:443'),
      new Error('Connection terminated unexpectedly'),
    ];
    let next = 0;
    const logs: string[] = [];
    const failing = fakeWebhooks(async () => {
      throw failures[next++];
    });
    const { post } = await start(unusedRevisions, fakeDeliveries(), logs, failing);
    const answers = [await post(), await post(), await post()];
    const wrong = await start(unusedRevisions).then(({ post: p }) => p({ 'X-Kipper-Token': 'b'.repeat(64) }));
    expect(wrong.status).toBe(401);
    for (const answer of answers) expect(answer).toEqual(wrong);
    const logged = logs.join('\n');
    expect(logged).toContain('ECONNREFUSED 10.96.0.1:443');
    expect(logged).toContain('Connection terminated unexpectedly');
    expect(logged).not.toContain(TOKEN);
  });

  it('a malformed app name is refused before the body is read (401, not 413)', async () => {
    const { post } = await start(unusedRevisions);
    const big = JSON.stringify({ image: 'registry.example.com/api:v1', padding: 'x'.repeat(1100 * 1024) });
    const answer = await post({}, 'shop-test/Bad_Name', big).catch(() => ({ status: 0, body: {} }));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('wrong tokens far beyond the failure limits never refuse a valid token from the same address, nor spend the app\'s budget', async () => {
    const revisions: DeliveryRevisions = {
      deployImage: async () => ({ id: 'rev-9', number: 9, status: RevisionStatus.QUEUED, image: 'registry.example.com/api:abc123f', commit: 'abc123f' }) as Revision,
      requestBuild: async () => ({}) as Revision,
      heldReason: async () => null,
    };
    const { post } = await start(revisions);
    const wrong: number[] = [];
    for (let i = 0; i < 80; i++) wrong.push((await post({ 'X-Kipper-Token': 'c'.repeat(64) })).status);
    expect(wrong.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(wrong).toContain(429);
    const valid = await Promise.all(Array.from({ length: 20 }, () => post()));
    expect(valid.map((a) => a.status)).toEqual(Array(20).fill(202));
  });
});
