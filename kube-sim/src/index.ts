import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { Scheduler } from './controllers/context.js';
import { DeploymentController } from './controllers/deployment.js';
import { FaultController } from './controllers/faults.js';
import { JobController } from './controllers/job.js';
import { KubeletController } from './controllers/kubelet.js';
import { Logs } from './logs.js';
import { Objects } from './objects.js';
import { resourceByKind } from './resources.js';
import { createApiServer, type ServedRequest } from './server.js';
import { keepState, loadState } from './state-file.js';
import { Store } from './store.js';

export type { ServedRequest } from './server.js';

export interface SimulatorOptions {
  /** Default 0 (a free port); main.ts uses KIPPER_SIM_PORT ?? 6443. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Time between status steps of a rollout / job, default 200. */
  rolloutStepMs?: number;
  /** Images (and job args/env values) matching it never succeed; default /sim-fail/. */
  failPattern?: RegExp;
  /** Deployment pods of matching images become ready, then crash-loop after crashAfterMs; default /sim-crash/. */
  crashPattern?: RegExp;
  /** Like crashPattern, with the container OOMKilled; default /sim-oom/. */
  oomPattern?: RegExp;
  /** How long a crashing container runs before each crash (first crash and every restart); default 5000. */
  crashAfterMs?: number;
  /** Deployment pods of matching images take slowReadyMs to become ready; default /sim-slow/. */
  slowPattern?: RegExp;
  /** Default 20000. */
  slowReadyMs?: number;
  /** Watch events kept for resuming watches; older resourceVersions get 410 Expired. Default 1000. */
  watchHistorySize?: number;
  /** Time between the log lines of a running app pod (a pod of a Deployment); default 5000. main.ts: KIPPER_SIM_LOG_INTERVAL_MS. */
  appLogIntervalMs?: number;
  /** A JSON file that keeps every object across restarts (written atomically, debounced); default none (memory only). */
  statePath?: string;
  /** Called for every resource request served (verb, group, resource, subresource, scope): what RBAC would check. */
  onRequest?: (request: ServedRequest) => void;
}

export interface Simulator {
  url: string;
  port: number;
  /** Pod log streams opened with follow=true and not closed yet (a client that leaves must close its stream). */
  openLogStreams(): number;
  close(): Promise<void>;
}

const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const store = new Store(options.watchHistorySize ?? 1000);
  const objects = new Objects(store);
  const logs = new Logs();
  const scheduler = new Scheduler();
  const openStreams = new Set<ServerResponse>();
  const ctx = {
    objects,
    logs,
    scheduler,
    stepMs: options.rolloutStepMs ?? 200,
    failPattern: options.failPattern ?? /sim-fail/,
    faults: {
      crashPattern: options.crashPattern ?? /sim-crash/,
      oomPattern: options.oomPattern ?? /sim-oom/,
      crashAfterMs: options.crashAfterMs ?? 5000,
      slowPattern: options.slowPattern ?? /sim-slow/,
      slowReadyMs: options.slowReadyMs ?? 20_000,
    },
    appLogIntervalMs: Math.max(10, options.appLogIntervalMs ?? 5000),
  };
  const deployments = new DeploymentController(ctx);
  const jobs = new JobController(ctx);
  const faults = new FaultController(ctx);
  const kubelet = new KubeletController(ctx);
  const pods = resourceByKind('Pod');
  const unsubscribe = store.subscribe((change) => {
    deployments.onChange(change);
    jobs.onChange(change);
    faults.onChange(change);
    kubelet.onChange(change);
    if (change.resource === pods && change.type === 'DELETED')
      logs.forget(change.object.metadata.namespace!, change.object.metadata.name!);
  });
  const namespaces = resourceByKind('Namespace');
  const restored = options.statePath ? loadState(options.statePath, store) : false;
  if (!restored) for (const name of INITIAL_NAMESPACES) objects.create(namespaces, undefined, { metadata: { name } });
  const stateFile = options.statePath ? keepState(options.statePath, store) : undefined;
  if (restored) kubelet.resume();

  const server = createApiServer({ objects, logs, openStreams, onRequest: options.onRequest });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    openLogStreams: () => logs.openFollows,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        unsubscribe();
        stateFile?.stop();
        const saved = stateFile?.flush() ?? Promise.resolve();
        scheduler.stopAll();
        kubelet.stopAll();
        for (const res of openStreams) res.end();
        openStreams.clear();
        server.close(() => saved.then(resolve, reject));
        // Keep-alive sockets would otherwise hold close() open until clients time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
