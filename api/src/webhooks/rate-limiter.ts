/**
 * Token buckets kept in this process's memory, one per key. With several api processes each
 * has its own buckets, so the effective limit is per process (documented in api/src/webhooks/README.md);
 * that is enough to keep one flood from starving the database and other apps.
 */

export interface BucketOptions {
  /** Requests allowed at once from a full bucket. */
  burst: number;
  /** Tokens added back per second. */
  perSecond: number;
  /** Buckets kept at most; the oldest idle ones are dropped first (a flood of random keys cannot exhaust memory). */
  maxKeys?: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    readonly options: BucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) {
      throw new RangeError('rate limit: burst must be at least 1 and perSecond above 0');
    }
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes `cost` tokens from the key's bucket, or says how long until there are enough. */
  take(key: string, cost = 1): TakeResult {
    const bucket = this.refill(key);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: this.wait(bucket, cost) };
  }

  /** Whether `cost` tokens are there, without taking them. */
  peek(key: string, cost = 1): TakeResult {
    const existing = this.buckets.get(key);
    if (!existing) return { ok: true };
    const bucket = this.refill(key);
    return bucket.tokens >= cost ? { ok: true } : { ok: false, retryAfterSeconds: this.wait(bucket, cost) };
  }

  /** Takes tokens even when that leaves the bucket in debt (charging a failure after the fact). */
  charge(key: string, cost = 1): void {
    const bucket = this.refill(key);
    bucket.tokens = Math.max(bucket.tokens - cost, -this.options.burst);
  }

  get size(): number {
    return this.buckets.size;
  }

  private wait(bucket: Bucket, cost: number): number {
    return Math.max(1, Math.ceil((cost - bucket.tokens) / this.options.perSecond));
  }

  private refill(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = { tokens: this.options.burst, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + elapsed * this.options.perSecond);
    bucket.updatedAt = now;
    // Keep recently used keys at the end of the map, so eviction drops the least recently used.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Drops buckets that have refilled completely (they hold no information), then the least recently used. */
  private evict(now: number): void {
    const fullAfterMs = (this.options.burst / this.options.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= fullAfterMs) this.buckets.delete(key);
    }
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) break;
      this.buckets.delete(oldest.value);
    }
  }
}

/** What the webhook gate takes tokens from: buckets in this process, or shared ones in Redis. */
export interface Buckets {
  take(key: string, cost?: number): Promise<TakeResult>;
}

/** The in-process buckets behind the Buckets interface (no Redis: unit tests, embedding). */
export function localBuckets(limiter: TokenBucketLimiter): Buckets {
  return { take: async (key, cost) => limiter.take(key, cost) };
}

/**
 * The same token bucket as TokenBucketLimiter, kept in Redis so that every api process takes
 * from one bucket per key: with two replicas an app still gets its burst and rate once, not
 * twice. One script does the refill and the take atomically, on Redis's clock (api processes'
 * clocks may differ). A bucket expires once it would be full again, so idle keys cost nothing.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local ok = 0
if tokens >= cost then
  tokens = tokens - cost
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
if ok == 1 then return 0 end
return math.max(1, math.ceil((cost - tokens) / rate))
`;

/** The part of an ioredis client the shared buckets use. */
export interface BucketStore {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface SharedBucketOptions {
  /** Key prefix: `{prefix}:ratelimit:{name}:`. */
  prefix: string;
  name: string;
  /** Called when Redis did not answer and the process's own bucket decided instead (never with a key's secret: keys hold app names and addresses). */
  onFallback?: (error: unknown) => void;
}

/**
 * Shared buckets in Redis; when Redis does not answer, this process's own bucket decides
 * (the limit is then per process again, as before replicas shared it), so an outage of
 * Redis never refuses or lets through every delivery.
 */
export function sharedBuckets(store: BucketStore, limits: BucketOptions, options: SharedBucketOptions, fallback = new TokenBucketLimiter(limits)): Buckets {
  if (!(limits.burst >= 1) || !(limits.perSecond > 0)) throw new RangeError('rate limit: burst must be at least 1 and perSecond above 0');
  const prefix = `${options.prefix}:ratelimit:${options.name}:`;
  return {
    async take(key, cost = 1) {
      try {
        const wait = Number(await store.eval(TAKE_SCRIPT, 1, prefix + key, limits.burst, limits.perSecond, cost));
        return wait === 0 ? { ok: true } : { ok: false, retryAfterSeconds: wait };
      } catch (error) {
        options.onFallback?.(error);
        return fallback.take(key, cost);
      }
    },
  };
}
