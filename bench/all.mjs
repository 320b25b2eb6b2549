// `npm run bench`: the webhook bench (ingestion beside the bare handler, accept → patched, every
// app at once, the webhook beside GraphQL load), the CLI's cold start beside `node -e 0`, and
// live updates (fan-out and idle subscriptions), one after the other, each as its own process
// with its own Kipper. Each prints its detail and writes bench/results/<name>.json; at the end
// one table of the goals, read back from those files, and bench/results/summary.json.
//
// Smaller defaults than the single benches so that the whole stays under 5 minutes on 2 cores;
// any BENCH_* variable set in the environment wins (see each bench's header).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const here = new URL('.', import.meta.url).pathname;
const defaults = {
  BENCH_CLI_RUNS: '10',
  BENCH_NPX_RUNS: '5',
  BENCH_EVENTS: '20',
};
const env = { ...defaults, ...process.env };
const benches = ['webhook', 'cli-start', 'subscribers'];

function run(name) {
  return new Promise((resolve) => {
    console.log(`\n== bench/${name}.mjs`);
    const started = performance.now();
    const child = spawn(process.execPath, [`${here}${name}.mjs`], { env, stdio: 'inherit' });
    child.on('close', (code) => resolve({ name, code, seconds: (performance.now() - started) / 1000 }));
  });
}

const read = (name) => {
  try {
    return JSON.parse(readFileSync(`${here}results/${name}.json`, 'utf8'));
  } catch {
    return undefined;
  }
};

const began = performance.now();
const runs = [];
for (const name of benches) runs.push(await run(name));
const seconds = (performance.now() - began) / 1000;

const webhook = read('webhook');
const every = read('every-app');
const cli = read('cli-start');
const subs = read('subscribers');
const fixed = (n, digits = 2) => (typeof n === 'number' ? n.toFixed(digits) : '—');
const rows = [
  ['webhook accepted per second', fixed(webhook?.kipper?.requestsPerSecond, 0), fixed(webhook?.bare?.requestsPerSecond, 0), fixed(webhook?.ratios?.throughput), '≥ 0.7'],
  ['webhook p99 (ms)', fixed(webhook?.kipper?.p99Ms, 0), fixed(webhook?.bare?.p99Ms, 0), fixed(webhook?.ratios?.p99), '≤ 2'],
  ['every app at once, all patched (ms)', fixed(every?.all?.patchedMs, 0), `${fixed(every?.alone?.patchedMs, 0)} (one app)`, fixed(every?.ratios?.patched), '≤ 2'],
  ['kip app history cold start (ms)', fixed(cli?.kipMs, 0), `${fixed(cli?.nodeMs, 0)} (node -e 0)`, fixed(cli?.ratio), '≤ 3'],
  ['npx kip app history (ms)', fixed(cli?.npxMs, 0), `${fixed(cli?.nodeMs, 0)} (node -e 0)`, cli?.npxMs ? fixed(cli.npxMs / cli.nodeMs) : '—', 'documented'],
  [`POST → event, ${subs?.subscribers ?? '?'} subscribers, p99 (ms)`, fixed(subs?.deliveredP99Ms, 0), '—', '—', '≤ 100 ms'],
  ['webhook p99 with subscribers ÷ alone', fixed(subs?.webhookServedP99Ms, 0), fixed(subs?.webhookAloneP99Ms, 0), fixed(subs?.webhookServedRatio), '≤ 2'],
  [`${subs?.idleSubscriptions ?? '?'} idle subscriptions, api RSS (MB)`, fixed(subs?.idleRssDeltaMb, 0), '—', '—', '< 200 MB for 10,000'],
];
const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[['what', 'Kipper', 'yardstick', 'ratio', 'goal'], ...rows].map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(`\nnpm run bench: ${seconds.toFixed(0)} s, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(line(['what', 'Kipper', 'yardstick', 'ratio', 'goal']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
for (const r of runs) if (r.code !== 0) console.log(`bench/${r.name}.mjs exited with ${r.code} (its results above may be missing or stale)`);
writeFileSync(`${here}results/summary.json`, `${JSON.stringify({ at: new Date().toISOString(), seconds: Math.round(seconds), load: loadavg(), runs, rows }, null, 2)}\n`);
process.exitCode = runs.some((r) => r.code !== 0) ? 1 : 0;
