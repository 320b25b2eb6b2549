// `kip` cold start: the median wall time of `kip app history` through the installed bin
// (node_modules/.bin/kip, as `npm ci` links it) against a running Kipper, beside `node -e 0`,
// and their ratio (the goal is ≤ 3×). Also `npx kip …` from the repository root, whose extra
// cost is npm's own start. Run with `npm run bench:cli` (builds first).
//
// It starts its own simulator and api (no worker: the history is the same) on a fresh database
// and queue prefix, creates an app with a few revisions, then runs each command BENCH_CLI_RUNS
// (20) times, alternating them so that load on the machine falls on both alike, after 3 warm-up
// runs each (disk cache). BENCH_NPX_RUNS (10) for npx; 0 skips it. Also written to
// bench/results/cli-start.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKipper } from './harness.mjs';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);
const NPX_RUNS = Number(process.env.BENCH_NPX_RUNS ?? 10);
const WARMUP = 3;
const GOAL = 3;
const root = new URL('../', import.meta.url).pathname;
const kipBin = join(root, 'node_modules', '.bin', 'kip');

/** Runs a command to its end; answers the wall time in ms (spawn to exit) and what it printed. */
function timed(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${err}${out}`));
      else resolve({ ms, out });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Each case `runs` times, interleaved, after the warm-up; answers the times of each case. */
async function measure(cases, runs) {
  const times = cases.map(() => []);
  for (let i = 0; i < WARMUP + runs; i++) {
    for (const [n, c] of cases.entries()) {
      const { ms, out } = await timed(c.command, c.args, c.env);
      if (c.expect && !c.expect.test(out)) throw new Error(`${c.name}: unexpected output:\n${out}`);
      if (i >= WARMUP) times[n].push(ms);
    }
  }
  return times;
}

if (!existsSync(kipBin)) {
  console.error('bench/cli-start.mjs: build first (npm ci, npm run build), or run `npm run bench:cli`.');
  process.exit(2);
}

const configHome = mkdtempSync(join(tmpdir(), 'kip-bench-'));
// No worker: the history is the same either way.
const kipper = await startKipper({ worker: false });
try {
  const { url, adminToken, graphql } = kipper;
  await graphql('mutation($i: CreateProjectInput!) { createProject(input: $i) { name } }', { i: { name: 'bench', environments: ['test'] } });
  await graphql('mutation($i: DeployAppInput!) { deployApp(input: $i) { name } }', {
    i: { project: 'bench', environment: 'test', name: 'api', image: 'registry.example.com/api:v1', port: 3000 },
  });
  for (let v = 2; v <= 5; v++) {
    await graphql('mutation($a: AppRef!, $i: String!) { updateImage(app: $a, image: $i) { number } }', {
      a: { namespace: 'bench-test', name: 'api' },
      i: `registry.example.com/api:v${v}`,
    });
  }

  // The environment a user's shell would give kip: no config file, server and token from KIPPER_*.
  const kipEnv = { ...process.env, XDG_CONFIG_HOME: configHome, KIPPER_SERVER: url, KIPPER_TOKEN: adminToken, NO_COLOR: '1' };
  delete kipEnv.KIPPER_DEBUG;
  const history = ['app', 'history', 'api', '--project', 'bench', '--environment', 'test'];
  const expect = /^5 +registry\.example\.com\/api:v5 /m;
  const node = { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: kipEnv };
  const kip = { name: 'kip app history (node_modules/.bin/kip)', command: kipBin, args: history, env: kipEnv, expect };
  const npx = { name: 'npx kip app history', command: 'npx', args: ['--no-install', 'kip', ...history], env: kipEnv, expect };

  const [nodeTimes, kipTimes] = await measure([node, kip], RUNS);
  const nodeMs = median(nodeTimes);
  const kipMs = median(kipTimes);
  let npxMs;
  if (NPX_RUNS > 0) [npxMs] = await measure([npx], NPX_RUNS);
  npxMs = npxMs && median(npxMs);

  const row = (name, ms, of) => `  ${name.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / of).toFixed(2).padStart(5)}×`;
  console.log(`kip cold start, median of ${RUNS} runs each (${NPX_RUNS} for npx), interleaved, after ${WARMUP} warm-up runs`);
  console.log(`  ${'command'.padEnd(42)} ${'median'.padStart(9)}  ${'÷ node'.padStart(6)}`);
  console.log(row(node.name, nodeMs, nodeMs));
  console.log(row(kip.name, kipMs, nodeMs));
  if (npxMs) console.log(row(npx.name, npxMs, nodeMs));
  const ratio = kipMs / nodeMs;
  console.log(`kip app history / node -e 0: ${ratio.toFixed(2)}× (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'})`);
  if (npxMs) console.log(`npx overhead over the bin: +${(npxMs - kipMs).toFixed(0)} ms`);
  const result = {
    bench: 'cli-start',
    runs: RUNS,
    nodeMs: Math.round(nodeMs),
    kipMs: Math.round(kipMs),
    ratio: Number(ratio.toFixed(2)),
    goal: GOAL,
    ...(npxMs ? { npxMs: Math.round(npxMs), npxOverheadMs: Math.round(npxMs - kipMs) } : {}),
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'cli-start.json'), `${JSON.stringify({ at: new Date().toISOString(), load: loadavg(), ...result }, null, 2)}\n`);
  console.log(JSON.stringify(result));
} finally {
  await kipper.stop();
  rmSync(configHome, { recursive: true, force: true });
}
