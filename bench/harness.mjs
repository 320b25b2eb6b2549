// What the benches share: a built Kipper (simulator, api, optionally a worker, each its own
// process) on a fresh database and queue prefix, a GraphQL call, a timed webhook POST, and the
// cleanup of everything the run created.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';

const root = new URL('../', import.meta.url).pathname;
const postgres = 'postgres://postgres@127.0.0.1:5432';

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A POST to the webhook shim; resolves with its status and latency in ms. */
export function post(agent, url, token, body) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'x-kipper-token': token, 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Starts the simulator, the api and (unless `worker: false` or BENCH_WORKER=0) a worker from
 * their `dist/`. `env` is added to the api's and worker's environment.
 */
export async function startKipper({ worker = process.env.BENCH_WORKER !== '0', env: extra = {} } = {}) {
  const suffix = randomBytes(4).toString('hex');
  const database = `kipper_bench_${suffix}`;
  const prefix = `bench-${suffix}`;
  const adminToken = randomBytes(32).toString('hex');
  const children = [];

  function start(name, entry, env, ready) {
    // BENCH_PROFILE_DIR: the api and the worker write a CPU profile there when they stop (open it in Chrome DevTools).
    const profile = (name === 'api' || name === 'worker') && process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    if (name === 'api' && process.env.BENCH_API_REQUIRE) profile.push('--require', process.env.BENCH_API_REQUIRE);
    const child = spawn(process.execPath, [...profile, entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.role = name;
    children.push(child);
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000);
      const onData = (chunk) => {
        output += chunk;
        const match = output.match(ready);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
    });
  }

  async function stop() {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const admin = new pg.Client({ connectionString: `${postgres}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    // The bench's queue and events live under their own prefix: leave nothing behind in Redis.
    const redis = new Redis(process.env.KIPPER_REDIS_URL ?? 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }

  const env = {
    KIPPER_DATABASE_URL: `${postgres}/${database}`,
    KIPPER_QUEUE_PREFIX: prefix,
    KIPPER_ADMIN_TOKEN: adminToken,
    KIPPER_PORT: '0',
    KIPPER_WORKER_PORT: '0', // the worker's health and metrics port: any free one
    // The benches measure the webhook path, not the per-app flood limit.
    KIPPER_WEBHOOK_RATE_BURST: '1000000',
    KIPPER_WEBHOOK_RATE_PER_SECOND: '1000000',
    ...extra,
  };
  try {
    const sim = await start('simulator', 'kube-sim/dist/main.js', { KIPPER_SIM_PORT: '0' }, /listening on (http:\/\/\S+)/);
    env.KIPPER_KUBE_SERVER = sim;
    const url = await start('api', 'api/dist/main.js', env, /listening on (http:\/\/[^\s)]+)/);
    if (worker) await start('worker', 'worker/dist/main.js', env, /(Kipper worker)/i);
    env.KIPPER_PUBLIC_URL = url;

    async function graphql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = await response.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    }
    const cpu = () => cpuSeconds(children.map((c) => [c.role, c.pid]), database);
    return { url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, simUrl: sim, adminToken, suffix, graphql, stop, cpu };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The yardstick: the bare webhook handler of ../shared/bench/baseline.mjs (or BENCH_BASELINE),
 * on its own database and Redis database (BENCH_BASELINE_REDIS_DB, default 15), with `apps`
 * apps. Its targets carry the same shape as Kipper's: { url, token }.
 */
export async function startBaseline(apps) {
  const script = process.env.BENCH_BASELINE ?? new URL('../../shared/bench/baseline.mjs', import.meta.url).pathname;
  if (!existsSync(script)) throw new Error(`${script} not found (set BENCH_BASELINE)`);
  const suffix = randomBytes(4).toString('hex');
  const database = `kipper_bench_bare_${suffix}`;
  const redisDb = process.env.BENCH_BASELINE_REDIS_DB ?? '15';
  const admin = new pg.Client({ connectionString: `${postgres}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const port = await freePort();
  const child = spawn(process.execPath, [script, String(port), `${postgres}/${database}`, redisDb, String(apps)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cleanup = new pg.Client({ connectionString: `${postgres}/postgres` });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await cleanup.end();
    const redis = new Redis({ host: '127.0.0.1', port: 6379, db: Number(redisDb) });
    const keys = await redis.keys('bull:baseline-deploys:*');
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bare handler did not start:\n${output}`)), 30_000);
      const onData = (chunk) => {
        output += chunk;
        if (/baseline listening/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`bare handler exited with ${code}:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  const targets = Array.from({ length: apps }, (_, i) => ({ url: `${url}/api/v1/webhook/bench-test/app${i}`, token: `token${i}` }));
  const cpu = () => cpuSeconds([['handler', child.pid]], database);
  return { url, targets, stop, cpu };
}

/**
 * CPU seconds used so far by each of `processes` ([role, pid]) and by the PostgreSQL backends
 * serving `database` (Linux /proc; empty elsewhere). On a machine shared with other work the
 * wall-clock rates swing with the load; the CPU a request costs does not, so the benches print
 * both. (Backends that ended meanwhile are not counted: the pools keep theirs open.)
 */
export function cpuSeconds(processes, database) {
  const out = {};
  const ticksOf = (pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  };
  for (const [role, pid] of processes) out[role] = ticksOf(pid);
  if (!existsSync('/proc')) return out;
  out.postgres = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) out.postgres += ticksOf(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
