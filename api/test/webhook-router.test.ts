import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AppSource, type App } from '../src/apps/app.entity.js';
import type { DeliveryInput, DeliveryResult, DeliveryService } from '../src/deliveries/delivery.service.js';
import { DeliveryOutcome, type WebhookDelivery } from '../src/deliveries/webhook-delivery.entity.js';
import { ErrorCode } from '../src/errors/error-code.js';
import { KipperError } from '../src/errors/kipper-error.js';
import { RevisionStatus, type Revision } from '../src/revisions/revision.entity.js';
import { createWebhookRouter, type WebhookRevisions } from '../src/webhooks/webhook.routes.js';
import type { WebhookService } from '../src/webhooks/webhook.service.js';

/** The router alone, with in-memory stand-ins for the services: the failure paths a real queue rarely shows. */

const TOKEN = 'a'.repeat(64);
const app = { id: '00000000-0000-4000-8000-000000000001', namespace: 'shop-test', name: 'api', source: AppSource.IMAGE, gitUrl: null, gitBranch: null } as App;

function fakeWebhooks(): WebhookService {
  return {
    authenticate: async (_ns: string, _name: string, c: { kipperToken?: string }) => (c.kipperToken === TOKEN ? app : null),
    revisionUrl: (_app: App, n: number) => `http://kipper.test/api/v1/webhook/shop-test/api/revisions/${n}`,
  } as unknown as WebhookService;
}

function fakeDeliveries() {
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
  };
  return service;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function start(revisions: WebhookRevisions, deliveries = fakeDeliveries(), logs: string[] = []) {
  const web = express();
  web.use(
    '/api/v1/webhook',
    createWebhookRouter(
      { revisions, webhooks: fakeWebhooks(), deliveries: deliveries as unknown as DeliveryService, config: { publicUrl: 'http://kipper.test' } },
      { log: (m) => logs.push(m) },
    ),
  );
  server = createServer(web);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/webhook/shop-test/api`;
  const post = async (headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Kipper-Token': TOKEN, ...headers },
      body: JSON.stringify({ image: 'registry.example.com/api:abc123f', commit: 'abc123f' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { post, deliveries, logs };
}

describe('webhook router failure paths', () => {
  it('QUEUE_UNAVAILABLE after the revision was committed: 503 with the message, recorded, and a repeat creates nothing', async () => {
    let calls = 0;
    const revisions: WebhookRevisions = {
      deployImage: async () => {
        calls++;
        throw new KipperError(ErrorCode.QUEUE_UNAVAILABLE, 'Revision #7 is recorded and will be deployed when the queue is back', { revision: 7, revisionId: 'rev-7' });
      },
      requestBuild: async () => ({}) as Revision,
    };
    const { post, deliveries } = await start(revisions);
    const first = await post({ 'Idempotency-Key': 'k1' });
    expect(first).toEqual({ status: 503, body: { error: { code: 'QUEUE_UNAVAILABLE', message: 'Revision #7 is recorded and will be deployed when the queue is back' } } });
    expect(deliveries.rows).toMatchObject([{ deliveryKey: 'k1', statusCode: 503, outcome: 'accepted', revisionId: 'rev-7' }]);
    expect(await post({ 'Idempotency-Key': 'k1' })).toEqual(first);
    expect(calls).toBe(1);
  });

  it('an unexpected failure: 500 INTERNAL without details, logged, and the key released for a retry', async () => {
    let fail = true;
    const revisions: WebhookRevisions = {
      deployImage: async () => {
        if (fail) throw new Error('connection terminated unexpectedly');
        return { id: 'rev-8', number: 8, status: RevisionStatus.QUEUED, image: 'registry.example.com/api:abc123f', commit: 'abc123f' } as Revision;
      },
      requestBuild: async () => ({}) as Revision,
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

  it('a KipperError from RevisionService keeps its code and status (the map in http-status.ts)', async () => {
    const revisions: WebhookRevisions = {
      deployImage: async () => {
        throw new KipperError(ErrorCode.CLUSTER_UNAVAILABLE, 'The Kubernetes API is not reachable');
      },
      requestBuild: async () => ({}) as Revision,
    };
    const { post } = await start(revisions);
    expect(await post()).toEqual({ status: 503, body: { error: { code: 'CLUSTER_UNAVAILABLE', message: 'The Kubernetes API is not reachable' } } });
  });
});
