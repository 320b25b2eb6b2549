// Every app at once: BENCH_FLEET_APPS apps, each receiving one webhook at the same moment,
// against one app alone, in the same run. Measured from the POSTs: until every Deployment shows
// its new image in the cluster ("patched", read from the Kubernetes API every 20 ms) and until
// every new revision is live (GraphQL, every 100 ms). The goals are ratios: all patched within
// 2× one app alone, all live within 2× one rollout. The goal is stated for 100 apps
// (BENCH_FLEET_APPS=100); the default, 20, keeps `npm run bench` within its 5 minutes on a
// loaded 2-core machine, where creating and first rolling out 100 apps alone takes minutes.
import http from 'node:http';
import { post } from './harness.mjs';

const FLEET = Number(process.env.BENCH_FLEET_APPS ?? 20);
const LIVE_TIMEOUT_MS = Number(process.env.BENCH_FLEET_TIMEOUT_MS ?? 240_000);
const PROJECT = 'fleet';
const NAMESPACE = 'fleet-test';

/** Creates the fleet (once) and measures one app alone, then all of them at once. */
export async function everyAppAtOnce(kipper) {
  const { graphql } = kipper;
  await graphql('mutation($i: CreateProjectInput!) { createProject(input: $i) { name } }', { i: { name: PROJECT, environments: ['test'] } });
  const targets = [];
  for (let i = 0; i < FLEET; i += 10) {
    targets.push(...(await Promise.all(Array.from({ length: Math.min(10, FLEET - i) }, async (_, j) => {
      const name = `f${i + j}`;
      await graphql('mutation($i: DeployAppInput!) { deployApp(input: $i) { name } }', {
        i: { project: PROJECT, environment: 'test', name, image: `registry.example.com/${name}:v0`, port: 3000, replicas: 2 },
      });
      const { enableWebhook } = await graphql('mutation($a: AppRef!) { enableWebhook(app: $a) { url token } }', { a: { namespace: NAMESPACE, name } });
      return { name, ...enableWebhook };
    }))));
  }
  await untilLive(kipper, targets, 'v0', LIVE_TIMEOUT_MS);

  const alone = await wave(kipper, targets.slice(0, 1), 'v1');
  const all = await wave(kipper, targets, 'v2');
  const result = {
    apps: FLEET,
    alone,
    all,
    ratios: { patched: all.patchedMs / alone.patchedMs, live: all.liveMs / alone.liveMs },
    goals: { patched: '<= 2', live: '<= 2' },
  };
  console.log(`\nevery app at once: ${FLEET} apps each get one webhook at the same moment, beside one app alone (same run):`);
  console.log('  | what | one app alone | all apps | ratio | goal |');
  console.log('  |---|---|---|---|---|');
  console.log(`  | POST → every Deployment patched | ${alone.patchedMs.toFixed(0)} ms | ${all.patchedMs.toFixed(0)} ms | ${result.ratios.patched.toFixed(2)} | ≤ 2 |`);
  console.log(`  | POST → every revision live | ${alone.liveMs.toFixed(0)} ms | ${all.liveMs.toFixed(0)} ms | ${result.ratios.live.toFixed(2)} | ≤ 2 |`);
  return result;
}

/** POSTs one webhook to each target at once; the time until all are patched, and until all are live. */
async function wave(kipper, targets, tag) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: targets.length });
  const started = performance.now();
  const answers = await Promise.all(targets.map((t) => post(agent, t.url, t.token, JSON.stringify({ image: `registry.example.com/${t.name}:${tag}` }))));
  agent.destroy();
  if (answers.some((a) => a.status !== 202)) {
    console.error(`every app at once: statuses ${answers.map((a) => a.status).join(',')}`);
    process.exitCode = 1;
  }
  const patched = untilPatched(kipper, targets, tag).then(() => performance.now() - started);
  const live = untilLive(kipper, targets, tag, LIVE_TIMEOUT_MS).then(() => performance.now() - started);
  return { patchedMs: await patched, liveMs: await live };
}

async function untilPatched(kipper, targets, tag) {
  const wanted = new Map(targets.map((t) => [t.name, `registry.example.com/${t.name}:${tag}`]));
  const deadline = Date.now() + LIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const list = await (await fetch(`${kipper.simUrl}/apis/apps/v1/namespaces/${NAMESPACE}/deployments`)).json();
    for (const d of list.items ?? []) {
      if (d.spec?.template?.spec?.containers?.[0]?.image === wanted.get(d.metadata.name)) wanted.delete(d.metadata.name);
    }
    if (wanted.size === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not patched within ${LIVE_TIMEOUT_MS / 1000} s: ${[...wanted.keys()].slice(0, 5).join(', ')}…`);
}

async function untilLive(kipper, targets, tag, timeoutMs) {
  const names = new Set(targets.map((t) => t.name));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { projects } = await kipper.graphql('{ projects { name environments { apps { name currentRevision { image status } } } } }');
    const apps = projects.find((p) => p.name === PROJECT).environments.flatMap((e) => e.apps);
    const waiting = apps.filter((a) => names.has(a.name) && a.currentRevision?.image !== `registry.example.com/${a.name}:${tag}`);
    if (waiting.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not live within ${timeoutMs / 1000} s`);
}
