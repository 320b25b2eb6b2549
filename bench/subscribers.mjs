// Live updates under fan-out: BENCH_SUBSCRIBERS (1,000) graphql-ws clients, each on its own
// WebSocket, subscribe to one app's events with the console's and `kip --wait`'s operation
// (AppEvents with DeployEventFields). Webhooks are POSTed to that app one after the other, and
// the bench prints, over every subscriber, the time from the POST to that revision's QUEUED
// event, and the webhook's own 202 latency, alone and while the subscribers are served.
//
// Then the memory of idle subscriptions: BENCH_IDLE_SUBSCRIPTIONS (10,000) more subscriptions
// to another app, which gets no events, over BENCH_IDLE_CONNECTIONS (500) graphql-ws
// connections (graphql-ws multiplexes subscriptions on one socket), and the api's resident
// memory and used heap (its /metrics) before and after; the goal is < 200 MB for 10,000.
// The results are also written to bench/results/subscribers.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AppEventsSubscription } from '@kipper/client';
import { percentile, post, startKipper } from './harness.mjs';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 40);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 250);
const QUERY = print(AppEventsSubscription);
const IDLE_SUBSCRIPTIONS = Number(process.env.BENCH_IDLE_SUBSCRIPTIONS ?? 10_000);
const IDLE_CONNECTIONS = Math.max(1, Math.min(IDLE_SUBSCRIPTIONS, Number(process.env.BENCH_IDLE_CONNECTIONS ?? 500)));
const IDLE_GOAL_MB = 200;
const APP = { namespace: 'bench-test', name: 'live' };
const IDLE_APP = { namespace: 'bench-test', name: 'idle' };

// One client address holds every subscriber's connection: let it.
const kipper = await startKipper({ env: { KIPPER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(SUBSCRIBERS + IDLE_CONNECTIONS + 100) } });
const clients = [];
try {
  const { graphql, wsUrl, adminToken } = kipper;
  await graphql('mutation($i: CreateProjectInput!) { createProject(input: $i) { name } }', { i: { name: 'bench', environments: ['test'] } });
  await graphql('mutation($i: DeployAppInput!) { deployApp(input: $i) { name } }', {
    i: { project: 'bench', environment: 'test', name: APP.name, image: 'registry.example.com/live:v0', port: 3000 },
  });
  const { enableWebhook: target } = await graphql('mutation($a: AppRef!) { enableWebhook(app: $a) { url token } }', { a: APP });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  /** Image tag → when its POST was sent; each subscriber's latencies of QUEUED events by tag. */
  const sentAt = new Map();
  const received = new Map();
  let errors = 0;
  let messages = 0;
  const onEvent = (event) => {
    messages++;
    if (event?.type !== 'QUEUED' || !event.revision?.image) return;
    const sent = sentAt.get(event.revision.image);
    if (sent === undefined) return;
    const ms = performance.now() - sent;
    const list = received.get(event.revision.image);
    if (list) list.push(ms);
    else received.set(event.revision.image, [ms]);
  };

  /** POSTs EVENTS webhooks, INTERVAL_MS apart; returns the 202 latencies and the tags. */
  const phase = async (label) => {
    const latencies = [];
    const tags = [];
    for (let i = 0; i < EVENTS; i++) {
      const image = `registry.example.com/live:${label}-${i}`;
      tags.push(image);
      const began = performance.now();
      sentAt.set(image, began);
      const { status, ms } = await post(agent, target.url, target.token, JSON.stringify({ image, commit: `${label === 'alone' ? 'a' : 'b'}${i.toString(16).padStart(6, '0')}` }));
      if (status !== 202) {
        console.error(`webhook answered ${status}`);
        process.exitCode = 1;
      }
      latencies.push(ms);
      const wait = INTERVAL_MS - (performance.now() - began);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    latencies.sort((a, b) => a - b);
    return { latencies, tags };
  };

  const alone = await phase('alone');

  // Subscribers connect 50 at a time (authentication is a database read per connection).
  const connectStarted = performance.now();
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => new Promise((resolve, reject) => {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${adminToken}` }, retryAttempts: 0, lazy: false, on: { connected: resolve, closed: (e) => reject(new Error(`closed: ${e?.code}`)) } });
      clients.push(client);
      client.subscribe({ query: QUERY, variables: { app: APP } }, {
        next: (value) => {
          if (value.errors) errors++;
          onEvent(value.data?.appEvents);
        },
        error: () => errors++,
        complete: () => undefined,
      });
    })));
  }
  const connectMs = performance.now() - connectStarted;

  // Warm-up: one event every subscriber must see before the measurement starts.
  const warm = 'registry.example.com/live:warm-up';
  sentAt.set(warm, performance.now());
  await post(agent, target.url, target.token, JSON.stringify({ image: warm, commit: 'aaaaaaa' }));
  for (let i = 0; i < 300 && (received.get(warm)?.length ?? 0) < SUBSCRIBERS; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const warmed = received.get(warm)?.length ?? 0;

  const messagesBefore = messages;
  const served = await phase('served');
  // Late events still count: wait up to 30 s for every subscriber to have every event.
  const outstanding = () => served.tags.reduce((n, tag) => n + SUBSCRIBERS - (received.get(tag)?.length ?? 0), 0);
  for (let i = 0; i < 300 && outstanding() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const eventsPerPost = (messages - messagesBefore) / SUBSCRIBERS / EVENTS;
  const delivered = served.tags.flatMap((tag) => received.get(tag) ?? []).sort((a, b) => a - b);
  const missed = served.tags.length * SUBSCRIBERS - delivered.length;
  const p99 = (sorted) => percentile(sorted, 99).toFixed(1);
  const p50 = (sorted) => percentile(sorted, 50).toFixed(1);

  console.log(`live updates: ${SUBSCRIBERS} graphql-ws subscribers of one app (connected in ${(connectMs / 1000).toFixed(1)} s, ${warmed} saw the warm-up event), ${EVENTS} webhooks ${INTERVAL_MS} ms apart`);
  console.log(`  POST → QUEUED event received, over all subscribers: p50 ${p50(delivered)} ms, p99 ${p99(delivered)} ms, max ${delivered.at(-1)?.toFixed(1)} ms; ${missed} missed, ${errors} errors; ${eventsPerPost.toFixed(1)} events per POST reached each subscriber (queued, rolling out, progress, live, superseded)`);
  console.log(`  webhook 202 alone:            p50 ${p50(alone.latencies)} ms, p99 ${p99(alone.latencies)} ms`);
  console.log(`  webhook 202 with subscribers: p50 ${p50(served.latencies)} ms, p99 ${p99(served.latencies)} ms (${(percentile(served.latencies, 99) / percentile(alone.latencies, 99)).toFixed(2)}× alone)`);
  if (missed > 0 || errors > 0) process.exitCode = 1;
  agent.destroy();

  const idle = await idleSubscriptions(kipper);
  console.log(
    `idle subscriptions: ${IDLE_SUBSCRIPTIONS} over ${IDLE_CONNECTIONS} connections (opened in ${(idle.openMs / 1000).toFixed(1)} s, ${idle.errors} errors): ` +
      `api RSS +${idle.rssDeltaMb.toFixed(0)} MB (${idle.before.rssMb.toFixed(0)} → ${idle.after.rssMb.toFixed(0)} MB), heap used +${idle.heapDeltaMb.toFixed(0)} MB; ` +
      `goal < ${IDLE_GOAL_MB} MB for 10,000: ${idle.rssDeltaMb * (10_000 / IDLE_SUBSCRIPTIONS) < IDLE_GOAL_MB ? 'met' : 'NOT met'}`,
  );
  if (idle.errors > 0) process.exitCode = 1;

  const result = {
    bench: 'subscribers',
    subscribers: SUBSCRIBERS,
    events: EVENTS,
    deliveredP50Ms: Number(p50(delivered)),
    deliveredP99Ms: Number(p99(delivered)),
    missed,
    errors,
    webhookAloneP99Ms: Number(p99(alone.latencies)),
    webhookServedP99Ms: Number(p99(served.latencies)),
    webhookServedRatio: Number((percentile(served.latencies, 99) / percentile(alone.latencies, 99)).toFixed(2)),
    idleSubscriptions: IDLE_SUBSCRIPTIONS,
    idleConnections: IDLE_CONNECTIONS,
    idleRssDeltaMb: Math.round(idle.rssDeltaMb),
    idleHeapDeltaMb: Math.round(idle.heapDeltaMb),
    idleGoalMb: IDLE_GOAL_MB,
  };
  const dir = new URL('results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}subscribers.json`, `${JSON.stringify({ at: new Date().toISOString(), load: loadavg(), ...result }, null, 2)}\n`);
  console.log(JSON.stringify(result));
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await kipper.stop();
}

/** The api's resident memory and used heap in MB, from its /metrics (loopback needs no token). */
async function apiMemory(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm'))?.[1] ?? NaN) / 2 ** 20;
  return { rssMb: value('process_resident_memory_bytes'), heapMb: value('nodejs_heap_size_used_bytes') };
}

/**
 * Opens IDLE_SUBSCRIPTIONS subscriptions to an app that gets no events, spread over
 * IDLE_CONNECTIONS connections, and answers the api's memory before and after (after a
 * settling second, the median of three readings to smooth out a collection in between).
 */
async function idleSubscriptions({ url, wsUrl, adminToken, graphql }) {
  await graphql('mutation($i: DeployAppInput!) { deployApp(input: $i) { name } }', {
    i: { project: 'bench', environment: 'test', name: IDLE_APP.name, image: 'registry.example.com/idle:v0', port: 3000 },
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
  const reading = async () => {
    const readings = [];
    for (let i = 0; i < 3; i++) {
      readings.push(await apiMemory(url));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const mid = (key) => readings.map((r) => r[key]).sort((a, b) => a - b)[1];
    return { rssMb: mid('rssMb'), heapMb: mid('heapMb') };
  };
  await settle();
  const before = await reading();
  let errors = 0;
  let active = 0;
  const started = performance.now();
  const perConnection = Math.ceil(IDLE_SUBSCRIPTIONS / IDLE_CONNECTIONS);
  for (let c = 0; c < IDLE_CONNECTIONS; c += 50) {
    await Promise.all(Array.from({ length: Math.min(50, IDLE_CONNECTIONS - c) }, (_, i) => new Promise((resolve, reject) => {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${adminToken}` }, retryAttempts: 0, lazy: false, on: { connected: resolve, closed: (e) => reject(new Error(`closed: ${e?.code}`)) } });
      clients.push(client);
      const first = (c + i) * perConnection;
      for (let n = first; n < Math.min(first + perConnection, IDLE_SUBSCRIPTIONS); n++) {
        active++;
        client.subscribe({ query: QUERY, variables: { app: IDLE_APP } }, { next: () => undefined, error: () => errors++, complete: () => active-- });
      }
    })));
  }
  const openMs = performance.now() - started;
  await settle();
  const after = await reading();
  if (active !== IDLE_SUBSCRIPTIONS) errors += IDLE_SUBSCRIPTIONS - active;
  return { openMs, errors, before, after, rssDeltaMb: after.rssMb - before.rssMb, heapDeltaMb: after.heapMb - before.heapMb };
}
