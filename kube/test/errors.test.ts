import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClusterError, connectCluster } from '../src/index.js';
import { unique, useSimulatorCluster } from './helpers.js';

const testbed = useSimulatorCluster();

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('errors', () => {
  it('gives CLUSTER_UNREACHABLE after retrying a closed port', async () => {
    const port = await closedPort();
    const down = connectCluster({ kind: 'server', server: `http://127.0.0.1:${port}` }, { retry: { attempts: 3, baseDelayMs: 10 } });
    const started = Date.now();
    const err = await down.readImage('ns', 'api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(10); // it waited between attempts
    await expect(down.followRollout('ns', 'api', { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    down.close();
  });

  it('maps API answers to stable codes', async () => {
    await expect(testbed.cluster.setImage('nowhere', 'api', 'x:1')).rejects.toMatchObject({
      code: 'CLUSTER_NOT_FOUND',
      status: 404,
    });
    const ns = unique('bad');
    await testbed.cluster.ensureNamespace(ns);
    await expect(testbed.cluster.ensureNamespace('Not_A_DNS_Label')).rejects.toMatchObject({ code: 'CLUSTER_INVALID' });
  });
});

describe('retries', () => {
  it('retries 503 answers and connection resets, then gives CLUSTER_UNREACHABLE', async () => {
    let requests = 0;
    const http = createHttpServer((_req, res) => {
      requests++;
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503, message: 'etcd down' }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;
    const flaky = connectCluster({ kind: 'server', server: `http://127.0.0.1:${port}` }, { retry: { attempts: 4, baseDelayMs: 5 } });
    await expect(flaky.readImage('ns', 'api')).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE', status: 503 });
    expect(requests).toBe(4);
    flaky.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));

    let connections = 0;
    const tcp = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const resetPort = (tcp.address() as { port: number }).port;
    const resetting = connectCluster({ kind: 'server', server: `http://127.0.0.1:${resetPort}` }, { retry: { attempts: 3, baseDelayMs: 5 } });
    await expect(resetting.readImage('ns', 'api')).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    expect(connections).toBe(3);
    resetting.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('does not retry a 4xx answer', async () => {
    let requests = 0;
    const http = createHttpServer((_req, res) => {
      requests++;
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'no' }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;
    const c = connectCluster({ kind: 'server', server: `http://127.0.0.1:${port}` }, { retry: { attempts: 4, baseDelayMs: 5 } });
    await expect(c.readImage('ns', 'api')).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN', status: 403 });
    expect(requests).toBe(1);
    c.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});
