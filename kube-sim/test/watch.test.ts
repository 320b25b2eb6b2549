import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { readStream, startTestSimulator, type Client, type Json } from './helpers.js';

let sim: Simulator;
let api: Client;
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  ({ sim, api } = await startTestSimulator({ watchHistorySize: 20 }));
});
afterAll(() => sim.close());

const summary = (events: Json[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`);

describe('watch', () => {
  it('from a resourceVersion sends only later events, filtered by selector', async () => {
    await api.post(CM, { metadata: { name: 'before', labels: { w: 'yes' } } });
    const list = (await api.get(CM)).body;
    const rv = list.metadata.resourceVersion;

    const streaming = readStream(`${sim.url}${CM}?watch=true&resourceVersion=${rv}&labelSelector=w%3Dyes`, (e) => e.length >= 3);
    await api.post(CM, { metadata: { name: 'ignored', labels: { w: 'no' } } });
    await api.post(CM, { metadata: { name: 'after', labels: { w: 'yes' } } });
    await api.patch(`${CM}/after`, { data: { k: 'v' } }, 'application/merge-patch+json');
    await api.delete(`${CM}/before`);
    const { status, events } = await streaming;
    expect(status).toBe(200);
    expect(summary(events)).toEqual(['ADDED after', 'MODIFIED after', 'DELETED before']);
    const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions.every((v) => v > Number(rv))).toBe(true);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('refuses a resourceVersion from the future (a client of a restarted simulator) with 504 Timeout', async () => {
    const rv = Number((await api.get(CM)).body.metadata.resourceVersion);
    const res = await api.get(`${CM}?watch=true&resourceVersion=${rv + 1000}`);
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Timeout', code: 504, details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
  });

  it('replays history when resuming from an older resourceVersion', async () => {
    const rv = (await api.get(CM)).body.metadata.resourceVersion;
    await api.post(CM, { metadata: { name: 'replayed' } });
    const { events } = await readStream(`${sim.url}${CM}?watch=1&resourceVersion=${rv}`, (e) => e.length >= 1);
    expect(summary(events)).toEqual(['ADDED replayed']);
  });

  it('without a resourceVersion starts with ADDED for existing objects, honouring fieldSelector', async () => {
    const { events } = await readStream(`${sim.url}${CM}?watch=true&fieldSelector=metadata.name%3Dreplayed`, (e) => e.length >= 1);
    expect(summary(events)).toEqual(['ADDED replayed']);
  });

  it('answers a too old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const rv = (await api.get(CM)).body.metadata.resourceVersion;
    for (let i = 0; i < 25; i++) await api.post(CM, { metadata: { name: `fill-${i}` } });
    const { status, events, ended } = await readStream(`${sim.url}${CM}?watch=true&resourceVersion=${rv}`, () => false);
    expect(status).toBe(200);
    expect(ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const { ended } = await readStream(`${sim.url}${CM}?watch=true&resourceVersion=${(await api.get(CM)).body.metadata.resourceVersion}&timeoutSeconds=1`, () => false, 4000);
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('watches across namespaces on the cluster-wide path', async () => {
    const rv = (await api.get(CM)).body.metadata.resourceVersion;
    await api.post('/api/v1/namespaces', { metadata: { name: 'other' } });
    const streaming = readStream(`${sim.url}/api/v1/configmaps?watch=true&resourceVersion=${rv}`, (e) => e.length >= 2);
    await api.post('/api/v1/namespaces/other/configmaps', { metadata: { name: 'x' } });
    await api.post(CM, { metadata: { name: 'y' } });
    const { events } = await streaming;
    expect(events.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['other/x', 'default/y']);
  });
});
