import { TokenBucketLimiter, type TakeResult } from '../webhooks/rate-limiter.js';

/**
 * Password guessing is slowed per caller address (every attempt counts) and per name (failed
 * attempts count, so a flood against one person is stopped whatever addresses it comes from).
 * In this process's memory, like the webhook's limits.
 */
export class SignInLimiter {
  private readonly perAddress = new TokenBucketLimiter({ burst: 10, perSecond: 1 / 6 });
  private readonly perName = new TokenBucketLimiter({ burst: 5, perSecond: 1 / 12 });

  /** Before checking the password: may this attempt go ahead? Takes the address's token. */
  attempt(address: string, name: string): TakeResult {
    const byName = this.perName.peek(name);
    if (!byName.ok) return byName;
    return this.perAddress.take(address);
  }

  failed(name: string): void {
    this.perName.charge(name);
  }
}
