import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** kubectl 1.32 as installed on these machines (NOTES.md); tests that need it skip without it. */
export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL);
export const DEPLOY_DIR = new URL('../../deploy/kubernetes/', import.meta.url).pathname;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** `kubectl kustomize DIR`: the YAML a user's `kubectl apply -k DIR` would send. */
export async function render(dir: string): Promise<string> {
  const result = await kubectl(['kustomize', dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * kubectl against a simulator: an empty kubeconfig and a private discovery cache keep the
 * user's own setup out; no OpenAPI validation (the simulator serves no /openapi, NOTES.md).
 */
export function simulatorKubectl(server: string) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kipper-kubectl-'));
  const base = ['--kubeconfig=/dev/null', `--cache-dir=${cacheDir}`, `--server=${server}`];
  return {
    run: (args: string[], input?: string) => kubectl([...base, ...args], input),
    async apply(yaml: string): Promise<KubectlResult> {
      return kubectl([...base, 'apply', '--validate=false', '-f', '-'], yaml);
    },
    /** One object or a list, as JSON. */
    async get<T = Record<string, unknown>>(args: string[]): Promise<T> {
      const result = await kubectl([...base, 'get', ...args, '-o', 'json']);
      if (result.code !== 0) throw new Error(`kubectl get ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    close: () => rmSync(cacheDir, { recursive: true, force: true }),
  };
}
