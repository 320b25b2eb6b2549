import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. `blocking` ones (BullMQ workers, pub/sub subscribers) wait for Redis
 * for as long as it takes; request-path ones (the queue producer, event publishing) give up
 * after a bounded time, so that a dead Redis fails a request fast instead of hanging it.
 */
export function createRedis(redisUrl: string, kind: 'blocking' | 'request', name: string): Redis {
  const common: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    // Reconnect forever with a capped backoff; a request meanwhile fails after its own budget.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
  };
  const redis =
    kind === 'blocking'
      ? new Redis(redisUrl, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true })
      : new Redis(redisUrl, {
          ...common,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          commandTimeout: 3_000,
          enableOfflineQueue: true,
          // Concurrent requests' commands (enqueue, publish) share one write per event-loop tick.
          enableAutoPipelining: true,
        });
  // Without a listener ioredis prints every reconnect failure as an unhandled 'error' event.
  redis.on('error', () => undefined);
  return redis;
}

/** Closes a connection without waiting on a Redis that is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  } catch {
    // already closing
  }
  redis.disconnect();
}

/** Resolves when the connection is ready; rejects after `timeoutMs` (Redis down or unreachable). */
export async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis is not reachable (connection ${redis.status})`));
    }, timeoutMs);
    function onReady() {
      clearTimeout(timer);
      resolve();
    }
    redis.once('ready', onReady);
  });
}
