import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '@kipper/kube-sim';
import { KubeConfig } from '@kubernetes/client-node';
import { connectCluster, type AppWorkload, type Cluster } from '../src/index.js';

export interface SimulatorCluster {
  readonly sim: Simulator;
  readonly cluster: Cluster;
  /** A plain client-node config for the simulator: for looking at what the module created, never to drive it. */
  kubeConfig(): KubeConfig;
}

/**
 * A simulator and a cluster client on it, shared by the tests of one file: started before them,
 * closed after. Read `sim`/`cluster` inside hooks and tests (they are set by `beforeAll`).
 */
export function useSimulatorCluster(options: SimulatorOptions = {}): SimulatorCluster {
  let sim: Simulator | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rolloutStepMs: 20, ...options });
    // Short retries: the simulator answers at once, and a test that retries for long hides a bug.
    cluster = connectCluster({ kind: 'server', server: sim.url }, { retry: { attempts: 3, baseDelayMs: 20 } });
  });
  afterAll(async () => {
    cluster?.close();
    await sim?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the simulator is not started yet: use it inside a hook or a test');
    return value;
  };
  return {
    get sim() {
      return started(sim);
    },
    get cluster() {
      return started(cluster);
    },
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 's', server: started(sim).url, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'c', cluster: 's', user: 'u' }],
        currentContext: 'c',
      });
      return kc;
    },
  };
}

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
