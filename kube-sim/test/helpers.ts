import { afterAll, beforeAll } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/index.js';

export interface Response<T = Record<string, unknown>> {
  status: number;
  body: T;
}

// Loose typing on purpose: tests read arbitrary Kubernetes JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export class Client {
  constructor(readonly url: string) {}

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response<Json>> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body: unknown) => this.request('POST', path, body);
  put = (path: string, body: unknown) => this.request('PUT', path, body);
  patch = (path: string, body: unknown, type: string) => this.request('PATCH', path, body, type);
  delete = (path: string) => this.request('DELETE', path);
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<{ sim: Simulator; api: Client }> {
  const sim = await startSimulator({ rolloutStepMs: 20, ...options });
  return { sim, api: new Client(sim.url) };
}

/**
 * A simulator shared by the tests of one file: started before them, closed after. Read `sim`/`api`
 * inside hooks and tests (they are set by `beforeAll`).
 */
export function useTestSimulator(options: SimulatorOptions = {}): { readonly sim: Simulator; readonly api: Client } {
  let started: { sim: Simulator; api: Client } | undefined;
  beforeAll(async () => {
    started = await startTestSimulator(options);
  });
  afterAll(() => started?.sim.close());
  const get = () => {
    if (!started) throw new Error('the simulator is not started yet: use it inside a hook or a test');
    return started;
  };
  return {
    get sim() {
      return get().sim;
    },
    get api() {
      return get().api;
    },
  };
}

export const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

/** Polls until `check` returns a value (not undefined/false), failing with the last value seen. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    last = value;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export function deployment(name: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

export function condition(object: Json, type: string): Json {
  return (object?.status?.conditions ?? []).find((c: Json) => c.type === type);
}

/** Reads a newline-delimited JSON stream until `until` says stop, or the stream ends. */
export async function readStream(
  url: string,
  until: (events: Json[]) => boolean,
  timeoutMs = 5000,
): Promise<{ status: number; events: Json[]; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { signal: controller.signal });
  const events: Json[] = [];
  let buffer = '';
  let ended = false;
  const decoder = new TextDecoder();
  try {
    const reader = res.body!.getReader();
    while (!until(events)) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let index: number;
      while ((index = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, events, ended };
}
