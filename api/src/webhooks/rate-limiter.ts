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
