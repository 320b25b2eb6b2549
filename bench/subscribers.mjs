// Live updates under fan-out: BENCH_SUBSCRIBERS (1,000) graphql-ws clients, each on its own
// WebSocket, subscribe to one app's events with the console's and `kip --wait`'s operation
// (AppEvents with DeployEventFields). Webhooks are POSTed to that app one after the other, and
// the bench prints, over every subscriber, the time from the POST to that revision's QUEUED
// event, and the webhook's own 202 latency, alone and while the subscribers are served.
import http from 'node:http';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AppEventsSubscription } from '@kipper/client';
import { percentile, post, startKipper } from './harness.mjs';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 40);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 250);
const QUERY = print(AppEventsSubscription);
const APP = { namespace: 'bench-test', name: 'live' };

// One client address holds every subscriber's connection: let it.
const kipper = await startKipper({ env: { KIPPER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(SUBSCRIBERS + 100) } });
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
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await kipper.stop();
}
