import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerMatches, checkReadiness, type ReadinessDeps } from '@kipper/core';
import type { Registry } from 'prom-client';

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  /** KIPPER_METRICS_TOKEN: when set, `/metrics` wants it as a bearer token, as the api's does. */
  metricsToken: string | undefined;
}

/**
 * The worker's own small HTTP server (KIPPER_WORKER_HOST:KIPPER_WORKER_PORT): `/healthz` (alive),
 * `/readyz` (PostgreSQL, Redis and the cluster answer; 503 naming which does not) and
 * `/metrics`. Nothing else is served: the port is for probes and Prometheus, not for users.
 */
export async function startOpsServer(readiness: ReadinessDeps, registry: Registry, options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    void answer(req, readiness, registry, options.metricsToken).then(
      ({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';

async function answer(req: IncomingMessage, readiness: ReadinessDeps, registry: Registry, token: string | undefined): Promise<{ status: number; type: string; body: string }> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET') return { status: 405, type: JSON_TYPE, body: JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'GET only' } }) };
  if (path === '/healthz') return { status: 200, type: JSON_TYPE, body: JSON.stringify({ status: 'ok' }) };
  if (path === '/readyz') {
    const result = await checkReadiness(readiness);
    const down = Object.entries(result.checks).filter(([, a]) => a !== 'ok').map(([name]) => name);
    const body = result.ready
      ? { status: 'ready', checks: result.checks }
      : { status: 'unavailable', checks: result.checks, error: { code: 'INTERNAL', message: `not reachable: ${down.join(', ')}` } };
    return { status: result.ready ? 200 : 503, type: JSON_TYPE, body: JSON.stringify(body) };
  }
  if (path === '/metrics') {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      return { status: 401, type: JSON_TYPE, body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Send the metrics token: Authorization: Bearer $KIPPER_METRICS_TOKEN' } }) };
    }
    return { status: 200, type: registry.contentType, body: await registry.metrics() };
  }
  return { status: 404, type: JSON_TYPE, body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'health: /healthz, /readyz; metrics: /metrics' } }) };
}
