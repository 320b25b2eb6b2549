import type { Cluster } from '@kipper/kube';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { describeError } from '../logger.js';

/** Each dependency's answer: `ok`, or why it is not (never a URL's credentials: none are in these messages). */
export interface Readiness {
  ready: boolean;
  checks: { postgres: string; redis: string; cluster: string };
}

export interface ReadinessDeps {
  dataSource: DataSource;
  /** A connection of this process's own (a blocking one would wait behind BullMQ's commands). */
  redis: Redis;
  cluster: Cluster;
  /** How long each check may take; default 2 s (a probe's default timeout is 1 s, its period 10 s). */
  timeoutMs?: number;
}

/** `/readyz`: PostgreSQL, Redis and the cluster, asked at once; ready when all three answer. */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const [postgres, redis, cluster] = await Promise.all([
    answer(() => deps.dataSource.query('SELECT 1'), timeoutMs),
    answer(() => deps.redis.ping(), timeoutMs),
    answer(() => deps.cluster.ping(), timeoutMs),
  ]);
  return { ready: postgres === 'ok' && redis === 'ok' && cluster === 'ok', checks: { postgres, redis, cluster } };
}

async function answer(check: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok'), late]);
  } catch (err) {
    return `unreachable: ${describeError(err, { stack: false })}`;
  } finally {
    clearTimeout(timer);
  }
}
