import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const KIP = fileURLToPath(new URL('../bin/kip.js', import.meta.url));

describe('the kip binary (built; npm test builds first)', () => {
  it('stops quietly when the reader closes the pipe early (kip … | head -1)', async () => {
    const child = spawn(process.execPath, [KIP, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Our end is closed before kip writes, as when `head` has already exited.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|at /);
    expect(code).toBe(0);
  });
});
