import { randomBytes } from 'node:crypto';
import { loadConfig, type Logger } from '@kipper/core';
import { createKipper, type Kipper } from '@kipper/api';
import { startSimulator, type Simulator, type SimulatorOptions } from '@kipper/kube-sim';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startWorkers, type WorkerGroup } from './worker.js';

/**
 * One Kipper for a test file, on real PostgreSQL and Redis: a fresh database
 * (`kipper_test_<random>`, dropped on stop), a fresh queue / pub-sub prefix, its own
 * Kubernetes simulator, and the api in-process on a free port with a known admin token.
 */

export interface StartKipperOptions {
  /** Also run a worker process (`node worker/dist/main.js`, see test/support/worker.ts; needs `npm run build`). */
  worker?: boolean;
  /** Extra KIPPER_* settings for the api (and the worker). */
  env?: Record<string, string>;
  /** Simulator step between rollout states; default 20 ms. */
  rolloutStepMs?: number;
  /** Other simulator options (crash and slow timings, …). */
  simulator?: Omit<SimulatorOptions, 'port' | 'rolloutStepMs'>;
  /** Serve the built console at `/` as production does (browser tests); default off. */
  serveConsole?: boolean;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface RunningKipper {
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  adminToken: string;
  sim: Simulator;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** The environment a worker process needs to join this Kipper (database, Redis, prefix, cluster, token). */
  env: Record<string, string>;
  /** The in-process api: `kipper.services` reaches the database and services directly. */
  kipper: Kipper;
  /** Everything the api logged. */
  logs: string[];
  /** The worker processes when started with `worker: true`. */
  workers: WorkerGroup | undefined;
  /** POST /graphql with the admin token (or `token`; null sends none). */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }): Promise<GraphQLResponse<T>>;
  /** The same with the admin token, for steps that must succeed: the data, or an error naming the GraphQL errors. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export const TEST_DATABASE_BASE = process.env.KIPPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.KIPPER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testDatabaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_BASE);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_BASE });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Removes every Redis key of a prefix (BullMQ keys are `<prefix>:deploys:…`). */
export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}

export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}

export async function startKipper(options: StartKipperOptions = {}): Promise<RunningKipper> {
  const suffix = randomSuffix();
  const databaseName = `kipper_test_${suffix}`;
  const databaseUrl = testDatabaseUrl(databaseName);
  const queuePrefix = `kipper-test-${suffix}`;
  const adminToken = randomBytes(32).toString('hex');
  const sim = await startSimulator({ ...options.simulator, port: 0, rolloutStepMs: options.rolloutStepMs ?? 20 });
  const env: Record<string, string> = {
    KIPPER_PORT: '0',
    KIPPER_HOST: '127.0.0.1',
    KIPPER_DATABASE_URL: databaseUrl,
    KIPPER_REDIS_URL: TEST_REDIS_URL,
    KIPPER_QUEUE_PREFIX: queuePrefix,
    KIPPER_ADMIN_TOKEN: adminToken,
    KIPPER_KUBE_SERVER: sim.url,
    ...options.env,
  };
  const logs: string[] = [];
  const log: Logger = { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
  const kipper = createKipper(loadConfig(env), { log, ...(options.serveConsole ? {} : { consoleDir: null }) });
  let address: { url: string };
  try {
    address = await kipper.start();
  } catch (err) {
    await sim.close();
    await dropDatabase(databaseName).catch(() => undefined);
    throw err;
  }
  const url = address.url;
  const graphqlUrl = `${url}/graphql`;

  const running: RunningKipper = {
    url,
    graphqlUrl,
    wsUrl: graphqlUrl.replace(/^http/, 'ws'),
    adminToken,
    sim,
    databaseUrl,
    redisUrl: env.KIPPER_REDIS_URL!,
    queuePrefix,
    env: { ...env, KIPPER_PUBLIC_URL: url },
    kipper,
    logs,
    workers: undefined,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, opts: { token?: string | null } = {}) {
      const token = opts.token === undefined ? adminToken : opts.token;
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse<T>;
    },
    async data<T>(query: string, variables: Record<string, unknown> = {}) {
      const result = await running.graphql<T>(query, variables);
      if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    },
    async stop() {
      await running.workers?.stop().catch(() => undefined);
      await kipper.stop();
      await sim.close();
      await dropDatabase(databaseName);
      await clearRedisPrefix(running.redisUrl, queuePrefix);
    },
  };

  if (options.worker) {
    try {
      running.workers = await startWorkers(running);
    } catch (err) {
      await running.stop();
      throw err;
    }
  }
  return running;
}
