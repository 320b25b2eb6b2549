import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../support/kipper.js';

/**
 * deploy/grafana/kipper.json against what Kipper really serves: every metric a panel queries
 * exists in a scrape of the api's `/metrics` or a worker's; and the worker's own port answers
 * the probes.
 */

interface Panel {
  id: number;
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/kipper.json', import.meta.url), 'utf8')) as { title: string; uid: string; panels: Panel[] };

let k: RunningKipper;
let workerUrl: string;

beforeAll(async () => {
  k = await startKipper({ worker: true, env: { KIPPER_METRICS_TOKEN: 't'.repeat(40) } });
  const started = /health and metrics at (http:\/\/127\.0\.0\.1:\d+)/.exec(k.workers!.output());
  if (!started) throw new Error(`the worker did not say where its health and metrics are:\n${k.workers!.output()}`);
  workerUrl = started[1]!;
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

/** The metric families a scrape declares (`# TYPE name kind`). */
function families(scrape: string): Map<string, string> {
  return new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** A series name a query may use for a family: the name, or a histogram's _bucket, _sum, _count. */
function declared(name: string, known: Map<string, string>): boolean {
  if (known.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && known.get(base) === 'histogram';
}

describe('the worker port', () => {
  it('answers /healthz, /readyz and, with the metrics token only, /metrics', async () => {
    expect(await (await fetch(`${workerUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${workerUrl}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok', cluster: 'ok' } } });
    expect((await fetch(`${workerUrl}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${workerUrl}/metrics`, { headers: { authorization: `Bearer ${'t'.repeat(40)}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^kipper_queue_jobs\{queue="deploys",state="waiting",component="worker"\} 0$/m);
    expect(text).toMatch(/^kipper_queue_oldest_job_age_seconds\{queue="deploys",component="worker"\} 0$/m);
  });
});

describe('deploy/grafana/kipper.json', () => {
  it('is a dashboard whose every panel queries metrics that the api or the worker serves', async () => {
    expect(dashboard.title).toBe('Kipper');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const auth = { authorization: `Bearer ${'t'.repeat(40)}` };
    const known = new Map([...families(await (await fetch(`${k.url}/metrics`, { headers: auth })).text()), ...families(await (await fetch(`${workerUrl}/metrics`, { headers: auth })).text())]);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const names = [...expr.matchAll(/\b((?:kipper|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) used.add(name);
      }
    }
    expect([...used].filter((name) => !declared(name, known))).toEqual([]);
    // Every Kipper metric is on the dashboard.
    const kipperFamilies = [...known.keys()].filter((name) => name.startsWith('kipper_'));
    expect(kipperFamilies.filter((name) => ![...used].some((u) => u === name || u.replace(/_(bucket|sum|count)$/, '') === name))).toEqual([]);
  });
});
