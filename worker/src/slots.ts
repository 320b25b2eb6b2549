/**
 * At most `size` of something at once, the others waiting in arrival order. The worker follows
 * any number of rollouts at once (they wait on watches), but runs only KIPPER_WORKER_CONCURRENCY
 * builds, which do use the cluster's resources.
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on directly
      else this.running--;
    }
  }
}
