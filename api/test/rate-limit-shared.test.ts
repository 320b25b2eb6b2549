import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuckets, TokenBucketLimiter } from '../src/webhooks/rate-limiter.js';
import { clearRedisPrefix, randomSuffix, TEST_REDIS_URL } from '../../test/support/kipper.js';

const prefix = `kipper-test-${randomSuffix()}`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  redis.disconnect();
  await clearRedisPrefix(TEST_REDIS_URL, prefix);
});

describe('token buckets shared through Redis', () => {
  it('two api processes take from one bucket per key: the burst once, then Retry-After', async () => {
    const limits = { burst: 3, perSecond: 0.5 };
    const a = sharedBuckets(redis, limits, { prefix, name: 'app' });
    const b = sharedBuckets(redis, limits, { prefix, name: 'app' });
    const results = [await a.take('shop-test/api'), await b.take('shop-test/api'), await a.take('shop-test/api'), await b.take('shop-test/api')];
    expect(results.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(results[3]).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Other keys and other limits have buckets of their own.
    expect(await a.take('shop-test/web')).toEqual({ ok: true });
    expect(await sharedBuckets(redis, limits, { prefix, name: 'failed-path' }).take('shop-test/api')).toEqual({ ok: true });
    // An idle bucket expires once it would be full again.
    const ttl = await redis.pttl(`${prefix}:ratelimit:app:shop-test/api`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7_000);
  });

  it('refills at the configured rate', async () => {
    const buckets = sharedBuckets(redis, { burst: 1, perSecond: 20 }, { prefix, name: 'fast' });
    expect(await buckets.take('k')).toEqual({ ok: true });
    expect((await buckets.take('k')).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(await buckets.take('k')).toEqual({ ok: true });
  });

  it('falls back to the process\'s own bucket when Redis does not answer, and says so', async () => {
    const problems: unknown[] = [];
    const down = { eval: () => Promise.reject(new Error('Connection is closed.')) };
    const limits = { burst: 2, perSecond: 1 };
    const buckets = sharedBuckets(down, limits, { prefix, name: 'app', onFallback: (e) => problems.push(e) }, new TokenBucketLimiter(limits, () => 0));
    expect([await buckets.take('x'), await buckets.take('x'), await buckets.take('x')]).toEqual([{ ok: true }, { ok: true }, { ok: false, retryAfterSeconds: 1 }]);
    expect(problems).toHaveLength(3);
  });

  it('refuses limits that make no sense', () => {
    expect(() => sharedBuckets(redis, { burst: 0, perSecond: 1 }, { prefix, name: 'x' })).toThrow(RangeError);
  });
});
