import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { condition, readStream, startTestSimulator, waitFor, type Client, type Json } from './helpers.js';

let sim: Simulator;
let api: Client;
const JOBS = '/apis/batch/v1/namespaces/default/jobs';

beforeAll(async () => {
  ({ sim, api } = await startTestSimulator());
});
afterAll(() => sim.close());

function job(name: string, args: string[], image = 'registry.example.com/builder:1') {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'build', image, command: ['build'], args }] } } },
  };
}

const podOf = (name: string) =>
  waitFor(async () => (await api.get(`/api/v1/namespaces/default/pods?labelSelector=job-name%3D${name}`)).body.items[0] as Json, 2000, `pod of ${name}`);

const finished = (name: string) =>
  waitFor(async () => {
    const j = (await api.get(`${JOBS}/${name}`)).body;
    return (condition(j, 'Complete') || condition(j, 'Failed')) && j;
  }, 5000, `job ${name} to finish`);

async function readLog(url: string): Promise<{ text: string; chunks: number }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const decoder = new TextDecoder();
  let text = '';
  let chunks = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    chunks++;
  }
  return { text, chunks };
}

describe('job controller', () => {
  it('runs a job to Complete with a labelled pod and a log', async () => {
    expect((await api.post(JOBS, job('ok', ['--push', 'app:1']))).status).toBe(201);
    const pod = await podOf('ok');
    expect(pod.metadata.name).toMatch(/^ok-[a-z0-9]{5}$/);
    expect(pod.metadata.labels).toMatchObject({ 'job-name': 'ok', 'batch.kubernetes.io/job-name': 'ok' });
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'ok' });

    const j = await finished('ok');
    expect(j.status.succeeded).toBe(1);
    expect(j.status.failed).toBeUndefined();
    expect(j.status.completionTime).toMatch(/Z$/);
    expect(condition(j, 'Complete')).toMatchObject({ status: 'True' });
    expect(condition(j, 'SuccessCriteriaMet')).toMatchObject({ status: 'True' });
    expect((await api.get(`/api/v1/namespaces/default/pods/${pod.metadata.name}`)).body.status.phase).toBe('Succeeded');

    const log = await fetch(`${sim.url}/api/v1/namespaces/default/pods/${pod.metadata.name}/log?container=build`);
    const lines = (await log.text()).trim().split('\n');
    expect(lines[0]).toBe('+ build --push app:1');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines[lines.length - 1]).not.toMatch(/error/);

    const tail = await fetch(`${sim.url}/api/v1/namespaces/default/pods/${pod.metadata.name}/log?tailLines=1`);
    expect((await tail.text()).trim()).toBe(lines[lines.length - 1]);
  });

  it('fails a job whose args match the fail pattern with BackoffLimitExceeded', async () => {
    await api.post(JOBS, job('bad', ['--tag', 'api:sim-fail']));
    const pod = await podOf('bad');
    const j = await finished('bad');
    expect(j.status.failed).toBe(1);
    expect(j.status.succeeded).toBeUndefined();
    expect(condition(j, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(condition(j, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(condition(j, 'Complete')).toBeUndefined();
    expect((await api.get(`/api/v1/namespaces/default/pods/${pod.metadata.name}`)).body.status.phase).toBe('Failed');
    const log = await (await fetch(`${sim.url}/api/v1/namespaces/default/pods/${pod.metadata.name}/log`)).text();
    expect(log.trim().split('\n').pop()).toBe('error: build failed (simulated)');
  });

  it('streams the log with follow=true while the pod runs and ends when it exits', async () => {
    await api.post(JOBS, job('follow', ['x']));
    // As on a real cluster, a container that has not started has no log yet (400 "waiting to start").
    const pod = await waitFor(async () => {
      const p = await podOf('follow');
      return p.status?.phase !== 'Pending' && p;
    }, 5000, 'pod of follow to start');
    const { text, chunks } = await readLog(`${sim.url}/api/v1/namespaces/default/pods/${pod.metadata.name}/log?follow=true&container=build`);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('+ build x');
    expect(lines[lines.length - 1]).toBe('done: completed successfully');
    // Lines arrived as they were produced, not as one body at the end.
    expect(chunks).toBeGreaterThan(1);
    expect(condition((await api.get(`${JOBS}/follow`)).body, 'Complete')).toBeDefined();
  });

  it('moves the pod through Pending, Running and Succeeded', async () => {
    const rv = (await api.get('/api/v1/namespaces/default/pods')).body.metadata.resourceVersion;
    await api.post(JOBS, job('phases', ['y']));
    const { events } = await readStream(
      `${sim.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}&labelSelector=job-name%3Dphases`,
      (e) => e.some((ev) => ev.object.status.phase === 'Succeeded'),
    );
    const phases = events.map((e) => e.object.status.phase as string).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['Pending', 'Running', 'Succeeded']);
  });

  it('deleting a job deletes its pod', async () => {
    await api.post(JOBS, job('delete-me', ['z']));
    await podOf('delete-me');
    await api.delete(`${JOBS}/delete-me`);
    expect((await api.get('/api/v1/namespaces/default/pods?labelSelector=job-name%3Ddelete-me')).body.items).toEqual([]);
  });
});
