import { describe, expect, it } from 'vitest';
import { assertJobItem, DeployEventType, EventPublisher, jobIdOf, QUEUE_OF, type JobItem, type KipperPubSub } from '@kipper/core';
import type { App, Revision } from '@kipper/core';

const APP = '7d4a3f1e-0b7a-4c39-9a57-5f0f3c1d2e01';
const REVISION = '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f';
const AT = '2026-12-01T17:05:03.123Z';

describe('job catalogue', () => {
  it('checks id fields as UUIDs and the event fields by what they hold', () => {
    const event: JobItem = { name: 'app.event', data: { appId: APP, revisionId: REVISION, type: DeployEventType.LIVE, message: 'registry.example.com/api:v1 is live', at: AT } };
    expect(assertJobItem(event)).toBe(event);
    const report: JobItem = { name: 'app.report', data: { ...event.data, message: null, reporter: 'github', target: 'https://hooks.example.com/x:y' } };
    expect(assertJobItem(report)).toBe(report);
    expect(() => assertJobItem({ name: 'app.deploy', data: { appId: 'nope', revisionId: REVISION } })).toThrow(/appId must be a UUID/);
    expect(() => assertJobItem({ name: 'app.event', data: { ...event.data, revisionId: '1' } })).toThrow(/revisionId must be a UUID/);
    expect(() => assertJobItem({ name: 'app.event', data: { ...event.data, type: 'exploded' as DeployEventType } })).toThrow(/type must be a DeployEventType/);
    expect(() => assertJobItem({ name: 'app.event', data: { ...event.data, at: 'yesterday' } })).toThrow(/at must be an ISO 8601 time/);
    expect(() => assertJobItem({ name: 'app.report', data: { ...report.data, reporter: 'Git Hub' } })).toThrow(/reporter must be a reporter name/);
    expect(() => assertJobItem({ name: 'app.report', data: { ...report.data, target: '' } })).toThrow(/target must be a non-empty string/);
  });

  it('puts reports on their own queue, with ids that name the event and hold no colon', () => {
    expect(QUEUE_OF['app.deploy']).toBe('deploys');
    expect(QUEUE_OF['app.event']).toBe('reports');
    expect(QUEUE_OF['app.report']).toBe('reports');
    const data = { appId: APP, revisionId: REVISION, type: DeployEventType.QUEUED, message: null, at: AT };
    const event = jobIdOf({ name: 'app.event', data })!;
    expect(event).toBe(`event-${REVISION}-queued-${Date.parse(AT)}`);
    const a = jobIdOf({ name: 'app.report', data: { ...data, reporter: 'notify', target: 'https://a.example.com/hook' } })!;
    const b = jobIdOf({ name: 'app.report', data: { ...data, reporter: 'notify', target: 'https://b.example.com/hook' } })!;
    expect(a).not.toBe(b);
    expect(a).not.toContain(':');
    expect(jobIdOf({ name: 'app.report', data: { ...data, reporter: 'notify', target: 'https://a.example.com/hook' } })).toBe(a);
  });
});

describe('EventPublisher and reports', () => {
  const pubsub = { prefix: 'x', publish: async () => undefined, subscribe: () => { throw new Error('unused'); }, channel: (t: string) => t, close: async () => undefined } as unknown as KipperPubSub;
  const app = { id: APP, projectId: APP, namespace: 'shop-test', name: 'api', health: null } as unknown as App;
  const revision = { id: REVISION, number: 3, status: 'live', progress: null } as unknown as Revision;

  it('enqueues one app.event per reported event, none for progress', async () => {
    const items: JobItem[] = [];
    const events = new EventPublisher(pubsub, { jobs: { enqueue: async (item) => void items.push(item) } });
    await events.revisionChanged(revision, app, DeployEventType.LIVE, 'registry.example.com/api:v1 is live');
    await events.revisionChanged(revision, app, DeployEventType.PROGRESS);
    await events.revisionChanged(revision, app, DeployEventType.HEALTH, 'Degraded: CrashLoopBackOff');
    expect(items.map((i) => [i.name, (i.data as { type: string }).type])).toEqual([
      ['app.event', 'live'],
      ['app.event', 'health'],
    ]);
    expect(items[0]!.data).toMatchObject({ appId: APP, revisionId: REVISION, message: 'registry.example.com/api:v1 is live' });
  });

  it('a queue that refuses the job does not fail the caller: onError hears of it', async () => {
    const errors: unknown[] = [];
    const events = new EventPublisher(pubsub, { jobs: { enqueue: () => Promise.reject(new Error('Redis is not reachable')) }, onError: (e) => errors.push(e) });
    await expect(events.revisionChanged(revision, app, DeployEventType.FAILED, 'boom')).resolves.toBeUndefined();
    expect(String(errors[0])).toMatch(/Redis is not reachable/);
  });
});
