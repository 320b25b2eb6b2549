import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, UsageError } from './errors.js';

export interface StoredConfig {
  server?: string;
  token?: string;
}

export interface ResolvedConfig {
  server: string;
  token: string | undefined;
  /** Where each value came from, for messages. */
  serverFrom: 'env' | 'config' | 'default';
  tokenFrom: 'env' | 'config' | 'none';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The local default of the API (KIPPER_PORT 8080 on 127.0.0.1). */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** `$XDG_CONFIG_HOME/kipper/config.json`, else `~/.config/kipper/config.json`. */
export function configPath(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'kipper', 'config.json');
}

export async function readConfig(env: Env): Promise<StoredConfig> {
  const path = configPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
    const { server, token } = parsed as Record<string, unknown>;
    return {
      ...(typeof server === 'string' ? { server } : {}),
      ...(typeof token === 'string' ? { token } : {}),
    };
  } catch {
    throw new CliError(`${path} is not valid JSON. Run \`kip login --server URL --token TOKEN\` to write it again.`);
  }
}

/**
 * Writes the config file readable by its owner only: directory 0700, file 0600,
 * through a temporary file and a rename so a crash never leaves half a file.
 */
export async function writeConfig(env: Env, config: StoredConfig): Promise<string> {
  const path = configPath(env);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

/** `KIPPER_SERVER` and `KIPPER_TOKEN` win over the config file. */
export async function resolveConfig(env: Env): Promise<ResolvedConfig> {
  const stored = await readConfig(env);
  const envServer = env.KIPPER_SERVER?.trim();
  const envToken = env.KIPPER_TOKEN?.trim();
  const server = envServer || stored.server || DEFAULT_SERVER;
  const token = envToken || stored.token || undefined;
  return {
    server: normaliseServer(server),
    token,
    serverFrom: envServer ? 'env' : stored.server ? 'config' : 'default',
    tokenFrom: envToken ? 'env' : stored.token ? 'config' : 'none',
  };
}

/** Accepts `https://host`, `https://host/` or `https://host/graphql`; answers the base URL. */
export function normaliseServer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`"${value}" is not a URL. Give the Kipper server as http(s)://host[:port].`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`"${value}" is not an http(s) URL. Give the Kipper server as http(s)://host[:port].`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/graphql')) path = path.slice(0, -'/graphql'.length);
  return `${url.origin}${path}`;
}
