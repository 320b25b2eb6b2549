// Webhook throughput and latency: the CI path (`POST /api/v1/webhook/{ns}/{app}`) of a built
// Kipper (api + one worker + the simulator, each its own process) on local PostgreSQL and
// Redis, under 32 keep-alive connections, alternated in the same run with the yardstick: a
// bare hand-written handler doing the same durable work (../shared/bench/baseline.mjs, or
// BENCH_BASELINE). The ratios are printed as a table and written to bench/results/webhook.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { everyAppAtOnce } from './every-app.mjs';
import { percentile, post, startBaseline, startKipper } from './harness.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const APPS = Number(process.env.BENCH_APPS ?? 32);

// The machine is shared: its load is printed (and kept in the JSON) beside every figure.
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min)`);
const kipper = await startKipper();
const { url, adminToken, suffix, graphql, cpu: kipperCpu } = kipper;
try {
  await graphql('mutation($i: CreateProjectInput!) { createProject(input: $i) { name } }', { i: { name: 'bench', environments: ['test'] } });
  const targets = [];
  for (let i = 0; i < APPS; i++) {
    const name = `app${i}`;
    await graphql('mutation($i: DeployAppInput!) { deployApp(input: $i) { name } }', {
      i: { project: 'bench', environment: 'test', name, image: `registry.example.com/${name}:v0`, port: 3000 },
    });
    const { enableWebhook } = await graphql('mutation($a: AppRef!) { enableWebhook(app: $a) { url token } }', { a: { namespace: 'bench-test', name } });
    targets.push(enableWebhook);
  }

  if (existsSync('/usr/bin/wrk') && process.env.BENCH_LOAD !== 'node') {
    // wrk (Debian's package) is the load generator when present: in C, it leaves the CPU to Kipper.
    await compareWithBaseline(url, targets);
  } else {
    await loadWithNode(targets);
  }
  await webhookUnderGraphqlLoad(url, targets);
  if (process.env.BENCH_FLEET_APPS !== '0') writeResult('every-app.json', await everyAppAtOnce(kipper));
} finally {
  await kipper.stop();
}

/**
 * Kipper and the bare handler under the same wrk load, alternated (bare, Kipper, bare, Kipper)
 * so that both meet the same machine; each figure is the mean of its rounds.
 */
async function compareWithBaseline(url, targets) {
  const baseline = await startBaseline(APPS).catch((error) => {
    console.log(`bare handler not started (${error.message}): Kipper alone`);
    return null;
  });
  const rounds = { kipper: [], bare: [] };
  try {
    for (let round = 0; round < 2; round++) {
      if (baseline) rounds.bare.push(await loadWithWrk(baseline.url, baseline.targets, 'bare handler', baseline.cpu));
      rounds.kipper.push(await loadWithWrk(url, targets, 'Kipper', kipperCpu));
    }
  } finally {
    await baseline?.stop();
  }
  const mean = (runs, key) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  const kipper = { requestsPerSecond: mean(rounds.kipper, 'requestsPerSecond'), p50Ms: mean(rounds.kipper, 'p50Ms'), p99Ms: mean(rounds.kipper, 'p99Ms') };
  const result = { at: new Date().toISOString(), connections: CONNECTIONS, apps: APPS, kipper, rounds };
  if (baseline) {
    const bare = { requestsPerSecond: mean(rounds.bare, 'requestsPerSecond'), p50Ms: mean(rounds.bare, 'p50Ms'), p99Ms: mean(rounds.bare, 'p99Ms') };
    Object.assign(result, {
      bare,
      ratios: { throughput: kipper.requestsPerSecond / bare.requestsPerSecond, p99: kipper.p99Ms / bare.p99Ms },
      goals: { throughput: '>= 0.7', p99: '<= 2' },
    });
    console.log('\nwebhook ingestion, Kipper (api + worker rolling out) beside the bare handler, same run:');
    console.log('  | what | Kipper | bare handler | ratio | goal |');
    console.log('  |---|---|---|---|---|');
    console.log(`  | accepted per second | ${kipper.requestsPerSecond.toFixed(0)} | ${bare.requestsPerSecond.toFixed(0)} | ${result.ratios.throughput.toFixed(2)} | ≥ 0.7 |`);
    console.log(`  | p99 | ${kipper.p99Ms.toFixed(0)} ms | ${bare.p99Ms.toFixed(0)} ms | ${result.ratios.p99.toFixed(1)}× | ≤ 2× |`);
  }
  writeResult('webhook.json', result);
}

function writeResult(file, result) {
  const dir = join(new URL('.', import.meta.url).pathname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), `${JSON.stringify({ at: new Date().toISOString(), load: loadavg(), ...result }, null, 2)}\n`);
  console.log(`  written to bench/results/${file}`);
}

/**
 * One wrk round against `url`; returns requests/s, latency percentiles (ms) and, with `cpu`
 * (harness cpuSeconds), the CPU milliseconds each request cost per process.
 */
async function loadWithWrk(url, targets, label, cpu) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'kipper-bench-'));
  const script = join(dir, 'webhook.lua');
  const entries = targets.map((t) => `{ path = "${new URL(t.url).pathname}", token = "${t.token}" }`).join(',\n  ');
  writeFileSync(script, `
local targets = {
  ${entries}
}
local n = 0
request = function()
  n = n + 1
  local t = targets[(n % #targets) + 1]
  local tag = string.format("%07x", n + math.random(0, 0xfffffff))
  return wrk.format("POST", t.path, {
    ["Content-Type"] = "application/json",
    ["X-Kipper-Token"] = t.token,
  }, '{"image": "registry.example.com/bench:' .. tag .. '", "commit": "' .. tag .. '"}')
end
`);
  const cpuBefore = cpu?.();
  // A 10 s timeout (wrk's default is 2 s): a slow answer is measured, not dropped from the count.
  const wrk = spawn('/usr/bin/wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  wrk.stdout.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => wrk.on('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  const parsed = parseWrk(output);
  if (cpuBefore) {
    const cpuAfter = cpu();
    parsed.cpuMsPerRequest = Object.fromEntries(Object.keys(cpuAfter).map((role) => [role, (1000 * Math.max(0, cpuAfter[role] - (cpuBefore[role] ?? 0))) / Math.max(1, parsed.requests)]));
  }
  const cpuText = parsed.cpuMsPerRequest ? `; CPU per request: ${Object.entries(parsed.cpuMsPerRequest).map(([role, ms]) => `${role} ${ms.toFixed(2)} ms`).join(', ')}` : '';
  console.log(`${label}: ${CONNECTIONS} connections to ${targets.length} apps for ${seconds} s: ${parsed.requestsPerSecond.toFixed(0)} requests/s, p50 ${parsed.p50Ms.toFixed(1)} ms, p99 ${parsed.p99Ms.toFixed(1)} ms${cpuText}`);
  if (/Non-2xx or 3xx responses/.test(output)) {
    console.log(output.trim().split('\n').map((line) => `  ${line}`).join('\n'));
    process.exitCode = 1;
  }
  return parsed;
}

/** Requests/s and the 50th/99th percentiles from `wrk --latency` output. */
function parseWrk(output) {
  const ms = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit];
  const percentileOf = (p) => {
    const match = output.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return match ? ms(match[1], match[2]) : NaN;
  };
  const rate = output.match(/Requests\/sec:\s+([\d.]+)/);
  const total = output.match(/(\d+) requests in/);
  return { requestsPerSecond: rate ? Number(rate[1]) : NaN, p50Ms: percentileOf(50), p99Ms: percentileOf(99), requests: total ? Number(total[1]) : 0 };
}

async function loadWithNode(targets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [];
  const statuses = new Map();
  let next = 0;
  const began = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < REQUESTS) {
      const n = next++;
      const target = targets[n % targets.length];
      const body = JSON.stringify({ image: `registry.example.com/bench:${n.toString(16).padStart(7, '0')}`, commit: n.toString(16).padStart(7, '0') });
      const { status, ms } = await post(agent, target.url, target.token, body);
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }));
  const seconds = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  console.log(`webhook: ${REQUESTS} requests over ${CONNECTIONS} connections to ${APPS} apps in ${seconds.toFixed(1)} s`);
  console.log(`  throughput ${(REQUESTS / seconds).toFixed(0)} requests/s`);
  console.log(`  latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`);
  console.log(`  statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`  process memory of the load generator: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  if (statuses.get(202) !== REQUESTS) process.exitCode = 1;
}

/**
 * The webhook beside hostile GraphQL load: its p99 alone, then while 3 clients keep sending
 * over-budget queries (refused before they run) and 10 keep sending heavy queries that are
 * allowed (full history pages with nested apps, the whole project tree).
 */
async function webhookUnderGraphqlLoad(url, targets) {
  const requests = Number(process.env.BENCH_ISOLATION_REQUESTS ?? 400);
  const overBudget = `{ app(ref: { namespace: "bench-test", name: "app0" }) { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { app { revisions(first: 100) { nodes { number } } } } } } } } } }`;
  const heavy = [
    `{ app(ref: { namespace: "bench-test", name: "app1" }) { revisions(first: 100) { totalCount nodes { number image commit status current trigger triggeredBy createdAt app { name namespace currentRevision { number image } } } } } }`,
    `{ projects { name environments { name apps { name image currentRevision { number image status } builds(first: 20) { status } deliveries(first: 20) { outcome statusCode } } } } }`,
  ];
  const measure = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const latencies = [];
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < requests) {
        const n = next++;
        const target = targets[n % targets.length];
        const tag = `f${n.toString(16).padStart(6, '0')}`;
        const { status, ms } = await post(agent, target.url, target.token, JSON.stringify({ image: `registry.example.com/iso:${tag}${suffix}`, commit: tag }));
        if (status !== 202) process.exitCode = 1;
        latencies.push(ms);
      }
    }));
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  };
  const alone = await measure();
  let running = true;
  const counts = { refused: 0, answered: 0 };
  const loop = async (query, expectRefused) => {
    while (running) {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query }) });
      const body = await response.json();
      const code = body.errors?.[0]?.extensions?.code;
      if (expectRefused && code === 'QUERY_TOO_COMPLEX') counts.refused++;
      else if (!expectRefused && !body.errors) counts.answered++;
      else process.exitCode = 1;
    }
  };
  const clients = [
    ...Array.from({ length: 3 }, () => loop(overBudget, true)),
    ...Array.from({ length: 10 }, (_, i) => loop(heavy[i % heavy.length], false)),
  ];
  const loaded = await measure();
  running = false;
  await Promise.all(clients);
  console.log(`webhook beside GraphQL load: ${requests} requests over 8 connections, alone and with 3 over-budget + 10 heavy GraphQL clients`);
  console.log(`  alone:       p50 ${alone.p50.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms`);
  console.log(`  with GraphQL: p50 ${loaded.p50.toFixed(1)} ms, p99 ${loaded.p99.toFixed(1)} ms (${(loaded.p99 / alone.p99).toFixed(2)}× alone); meanwhile ${counts.refused} over-budget queries refused, ${counts.answered} heavy ones answered`);
}
