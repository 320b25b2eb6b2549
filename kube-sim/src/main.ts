import { startSimulator } from './index.js';

const port = Number(process.env.KIPPER_SIM_PORT ?? 6443);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`KIPPER_SIM_PORT must be a port number, got "${process.env.KIPPER_SIM_PORT}"`);
  process.exit(2);
}
// 127.0.0.1 unless told otherwise: compose.yaml sets 0.0.0.0 so the api container reaches it.
const host = process.env.KIPPER_SIM_HOST || '127.0.0.1';
const step = process.env.KIPPER_SIM_STEP_MS;
const failPattern = process.env.KIPPER_SIM_FAIL_PATTERN;
const history = process.env.KIPPER_SIM_WATCH_HISTORY;

const sim = await startSimulator({
  port,
  host,
  rolloutStepMs: step ? Number(step) : undefined,
  failPattern: failPattern ? new RegExp(failPattern) : undefined,
  watchHistorySize: history ? Number(history) : undefined,
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
