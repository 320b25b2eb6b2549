#!/usr/bin/env node
// `npm start`: the whole of Kipper on one machine.
//  1. builds (`npm run build`, incremental) unless KIPPER_SKIP_BUILD=1;
//  2. when KIPPER_DATABASE_URL / KIPPER_REDIS_URL are not set and nothing answers at the default
//     addresses, starts an embedded PostgreSQL and redis-server (scripts/local-services.js);
//  3. checks the configuration once (a wrong KIPPER_* variable stops here with one line) and, when
//     no cluster is configured (no KIPPER_KUBE_SERVER, no kubeconfig, or KIPPER_KUBE=sim), starts
//     the built-in Kubernetes simulator and gives its URL to the api and the worker as
//     KIPPER_KUBE_SERVER, so both talk to the same cluster;
//     (keeping its objects in a file beside the local data unless KIPPER_SIM_STATE says otherwise),
//  4. runs the api (`node api/dist/main.js`) and, once it listens (migrations done), the worker
//     (`node worker/dist/main.js`, when built), with the same environment;
//  5. forwards SIGINT/SIGTERM to both and stops when either exits, then the services it started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataHome, startLocalServices } from './local-services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiMain = join(root, 'api', 'dist', 'main.js');
const workerMain = join(root, 'worker', 'dist', 'main.js');

// Always build: tsc -b is incremental, and a checkout that moved on must not run stale dist/.
if (process.env.KIPPER_SKIP_BUILD !== '1') {
  console.log('kipper: building (npm run build; KIPPER_SKIP_BUILD=1 skips this)');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const env = { ...process.env };
// The api and the worker write through pipes: they would not see the terminal and log JSON.
if (process.stdout.isTTY && !env.KIPPER_LOG_FORMAT) env.KIPPER_LOG_FORMAT = 'pretty';
let builtIn;
let local = { stop: () => Promise.resolve() };
try {
  const { loadConfig, consoleLogger } = await import('@kipper/core');
  const { startBuiltInClusterWhenNeeded } = await import('@kipper/api');
  // A wrong setting stops here, before anything is started.
  let config = loadConfig(env);
  local = await startLocalServices(env);
  Object.assign(env, local.urls);
  // The built-in simulator keeps its objects beside the local data, as a cluster would.
  if (config.cluster.kind === 'simulator' && !env.KIPPER_SIM_STATE) env.KIPPER_SIM_STATE = join(dataHome(env), 'kube-sim.json');
  config = loadConfig(env);
  // One decision, made where the api makes it too: no cluster configured → the built-in simulator,
  // whose URL the api and the worker both get as KIPPER_KUBE_SERVER.
  builtIn = await startBuiltInClusterWhenNeeded(config, consoleLogger);
  if (builtIn.config.cluster.kind === 'server') env.KIPPER_KUBE_SERVER = builtIn.config.cluster.server;
} catch (err) {
  console.error(`kipper: ${err instanceof Error ? err.message : String(err)}`);
  await local.stop();
  process.exit(2);
}

const children = new Set();
let stopping = false;
let exitCode = 0;

function run(name, script, onLine) {
  const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ['ignore', onLine ? 'pipe' : 'inherit', 'inherit'] });
  children.add(child);
  if (onLine) {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`kipper: the ${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest`);
      exitCode = code || 1;
      shutdown('SIGTERM');
    }
    if (children.size === 0) finish();
  });
  return child;
}

let workerStarted = false;
run('api', apiMain, (line) => {
  if (!workerStarted && line.includes('Kipper API listening on ')) {
    workerStarted = true;
    if (existsSync(workerMain)) run('worker', workerMain);
    else console.log('kipper: worker/dist/main.js not built: deployments stay queued until a worker runs');
  }
});

function shutdown(signal) {
  stopping = true;
  for (const child of children) child.kill(signal);
  setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 15_000).unref();
}

let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  await builtIn.close();
  await local.stop();
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    shutdown(signal);
  });
}
