import type { AppWorkload } from '../src/index.js';

/** Polls `check` until it returns a defined value or the deadline passes (then throws). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
/** A fresh namespace/app name per test, so tests in one file never share objects. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

export function workload(namespace: string, name: string, overrides: Partial<AppWorkload> = {}): AppWorkload {
  return {
    namespace,
    name,
    image: 'registry.example.com/api:v1',
    port: 8080,
    replicas: 2,
    env: [{ name: 'GREETING', value: 'hello' }],
    host: null,
    progressDeadlineSeconds: 600,
    ...overrides,
  };
}
