import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKER_MAIN = resolve(ROOT, 'worker/dist/main.js');

/** What the workers need from a running Kipper (startKipper's RunningKipper has all of it). */
export interface WorkerTarget {
  databaseUrl: string;
  queuePrefix: string;
  sim: { url: string };
  /** Default KIPPER_REDIS_URL of the environment, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** The api's KIPPER_* environment (RunningKipper.env): the workers get the same settings. */
  env?: Record<string, string>;
}

export interface WorkerHandle {
  readonly index: number;
  /** Pid of the current process (changes on restart). */
  readonly pid: number | undefined;
  /** Everything the process printed so far (all runs), for assertions and debugging. */
  output(): string;
  /** Sends a signal; resolves with the exit code once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the process again (after kill) with the same environment; resolves once it is up. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit; a no-op when it is not running. */
  stop(): Promise<number | null>;
  readonly exited: boolean;
}

export interface WorkerGroup {
  handles: WorkerHandle[];
  stop(): Promise<void>;
  output(): string;
}

const START_LINE = /kipper worker \d+ started/;
const START_TIMEOUT_MS = 30_000;

/**
 * Spawns `count` production worker processes (`node worker/dist/main.js`) against a running
 * Kipper: its environment, database, Redis, queue prefix and simulator, plus test-friendly
 * timings (2 s job locks, 0.5 s sweeps) that the Kipper's `env` or `env` here can override. Resolves once every one has
 * printed its start line. Tests run after `npm run build`.
 */
export async function startWorkers(
  kipper: WorkerTarget,
  count = 1,
  env: Record<string, string> = {},
): Promise<WorkerGroup> {
  if (!existsSync(WORKER_MAIN)) {
    throw new Error(`${WORKER_MAIN} is missing: run npm run build first (the tests run the production build)`);
  }
  const handles = Array.from({ length: count }, (_, index) => spawnWorker(kipper, index, env));
  await Promise.all(handles.map((h) => h.started));
  return {
    handles: handles.map((h) => h.handle),
    output: () => handles.map((h) => `--- worker ${h.handle.index} ---\n${h.handle.output()}`).join('\n'),
    async stop() {
      await Promise.all(handles.map((h) => h.handle.stop()));
    },
  };
}

function spawnWorker(kipper: WorkerTarget, index: number, extraEnv: Record<string, string>) {
  let log = '';
  let child: ChildProcess | null = null;
  let exitPromise: Promise<number | null> = Promise.resolve(null);
  let exited = true;

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // Test-friendly timings; the api's env (startKipper's `env` option) and `extraEnv` win.
    KIPPER_WORKER_LOCK_MS: '2000',
    KIPPER_SWEEP_MS: '500',
    // Any free port for /healthz, /readyz and /metrics: several workers share the machine.
    KIPPER_WORKER_PORT: '0',
    ...kipper.env,
    KIPPER_DATABASE_URL: kipper.databaseUrl,
    KIPPER_REDIS_URL: kipper.redisUrl ?? process.env.KIPPER_REDIS_URL ?? 'redis://127.0.0.1:6379',
    KIPPER_QUEUE_PREFIX: kipper.queuePrefix,
    KIPPER_KUBE_SERVER: kipper.sim.url,
    ...extraEnv,
  };

  const launch = (): Promise<void> => {
    const proc = spawn(process.execPath, [WORKER_MAIN], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exited = false;
    log += `[spawned pid ${proc.pid}]\n`;
    let started = false;
    return new Promise<void>((resolveStart, rejectStart) => {
      const timer = setTimeout(
        () => rejectStart(new Error(`worker ${index} did not start within ${START_TIMEOUT_MS} ms:\n${log}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (!started && START_LINE.test(log.slice(log.lastIndexOf('[spawned')))) {
          started = true;
          clearTimeout(timer);
          resolveStart();
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      exitPromise = new Promise((resolveExit) => {
        proc.on('exit', (code, signal) => {
          exited = true;
          log += `[exited code ${code} signal ${signal ?? '-'}]\n`;
          clearTimeout(timer);
          if (!started) rejectStart(new Error(`worker ${index} exited before it started:\n${log}`));
          resolveExit(code);
        });
      });
    });
  };

  const handle: WorkerHandle = {
    index,
    get pid() {
      return child?.pid;
    },
    get exited() {
      return exited;
    },
    output: () => log,
    async kill(signal = 'SIGTERM') {
      if (exited || !child) return null;
      child.kill(signal);
      return exitPromise;
    },
    async restart() {
      if (!exited) await handle.stop();
      await launch();
    },
    async stop() {
      if (exited || !child) return exitPromise;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      const code = await exitPromise;
      clearTimeout(timer);
      return code;
    },
  };
  return { handle, started: launch() };
}
