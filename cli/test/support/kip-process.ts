import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `kip` (node cli/bin/kip.js, after `npm run build`), run as a user runs it. */
const KIP = fileURLToPath(new URL('../../bin/kip.js', import.meta.url));

export interface KipRun {
  code: number | null;
  out: string;
  err: string;
  lines: string[];
}

export interface KipTarget {
  url: string;
  adminToken: string;
}

/** Runs `kip args…` against `target` with a config home of its own and a minimal environment (and `stdin`, when given). */
export function runKip(target: KipTarget, configHome: string, args: string[], env: Record<string, string> = {}, stdin?: string): Promise<KipRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KIP, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: configHome,
        XDG_CONFIG_HOME: configHome,
        KIPPER_SERVER: target.url,
        KIPPER_TOKEN: target.adminToken,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Without `stdin` the command reads an empty stdin, as with </dev/null.
    child.stdin.end(stdin ?? '');
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, lines: out.replace(/\n$/, '').split('\n') }));
  });
}

/** Polls `probe` until it returns a value, or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
