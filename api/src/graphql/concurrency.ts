import type { ApolloServerPlugin } from '@apollo/server';

/** Counting semaphore: `acquire` resolves with the function that gives the slot back (once). */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * At most `limit` GraphQL operations over HTTP execute at once; the rest wait their turn. The
 * api is one Node.js process: without a bound, a few clients looping heavy (allowed) queries
 * take the CPU that CI's webhooks need, however cheap each webhook is.
 */
export function concurrencyLimitPlugin(limit: number): ApolloServerPlugin {
  const slots = new Slots(limit);
  return {
    requestDidStart() {
      let release: (() => void) | undefined;
      return Promise.resolve({
        async didResolveOperation() {
          release = await slots.acquire();
        },
        willSendResponse() {
          release?.();
          return Promise.resolve();
        },
      });
    },
  };
}
