import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const compose = '/usr/bin/docker-compose';

// No Docker engine runs on these machines; Debian's docker-compose still validates and
// resolves the file, which is what a user's `docker compose up` would read first.
describe.skipIf(!existsSync(compose))('compose.yaml (skipped: Debian docker-compose is not installed)', () => {
  it('is a valid compose file with PostgreSQL, Redis, the simulator, the api and the worker', async () => {
    const { stdout } = await run(compose, ['-f', 'compose.yaml', 'config', '--services'], { cwd: root });
    expect(stdout.trim().split('\n').sort()).toEqual(['api', 'kube-sim', 'postgres', 'redis', 'worker']);
  });

  it('starts each Kipper service from a file the build produces', async () => {
    const { stdout } = await run(compose, ['-f', 'compose.yaml', 'config'], { cwd: root });
    const entries = [...stdout.matchAll(/- node\n\s+- (\S+)/g)].map((m) => m[1]!);
    expect(entries.sort()).toEqual(['api/dist/main.js', 'kube-sim/dist/main.js', 'worker/dist/main.js']);
    for (const entry of entries) {
      expect(existsSync(`${root}/${entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts')}`), entry).toBe(true);
    }
  });
});
