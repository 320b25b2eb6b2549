import { startSimulator } from './index.js';

const port = Number(process.env.KIPPER_SIM_PORT ?? 6443);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`KIPPER_SIM_PORT must be a port number, got "${process.env.KIPPER_SIM_PORT}"`);
  process.exit(2);
}
// 127.0.0.1 unless told otherwise: compose.yaml sets 0.0.0.0 so the api container reaches it.
const host = process.env.KIPPER_SIM_HOST || '127.0.0.1';
const env = process.env;
const pattern = (value: string | undefined) => (value ? new RegExp(value) : undefined);
const number = (value: string | undefined, name: string) => {
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} must be a non-negative number, got "${value}"`);
    process.exit(2);
  }
  return n;
};

const sim = await startSimulator({
  port,
  host,
  rolloutStepMs: number(env.KIPPER_SIM_STEP_MS, 'KIPPER_SIM_STEP_MS'),
  failPattern: pattern(env.KIPPER_SIM_FAIL_PATTERN),
  crashPattern: pattern(env.KIPPER_SIM_CRASH_PATTERN),
  oomPattern: pattern(env.KIPPER_SIM_OOM_PATTERN),
  crashAfterMs: number(env.KIPPER_SIM_CRASH_AFTER_MS, 'KIPPER_SIM_CRASH_AFTER_MS'),
  slowPattern: pattern(env.KIPPER_SIM_SLOW_PATTERN),
  slowReadyMs: number(env.KIPPER_SIM_SLOW_READY_MS, 'KIPPER_SIM_SLOW_READY_MS'),
  appLogIntervalMs: number(env.KIPPER_SIM_LOG_INTERVAL_MS, 'KIPPER_SIM_LOG_INTERVAL_MS'),
  watchHistorySize: number(env.KIPPER_SIM_WATCH_HISTORY, 'KIPPER_SIM_WATCH_HISTORY'),
  // A file keeps the objects across restarts; unset or `memory` keeps them in memory only.
  statePath: env.KIPPER_SIM_STATE && env.KIPPER_SIM_STATE !== 'memory' ? env.KIPPER_SIM_STATE : undefined,
});
console.log(`Kubernetes API simulator listening on ${sim.url}`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received, stopping the simulator`);
  sim.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
