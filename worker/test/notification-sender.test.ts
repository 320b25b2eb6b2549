import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { lookup as dnsLookup } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendNotification } from '../src/reports/notification.sender.js';

let server: Server;
let base: string;
const seen: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      switch (req.url ?? '') {
        case '/ok':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
          return;
        case '/fail':
          res.writeHead(500).end('x'.repeat(2_000));
          return;
        case '/redirect':
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
          return;
        case '/slow':
          return; // never answers
        default:
          res.writeHead(404).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

describe('sending a notification', () => {
  it('POSTs the body with its headers and records status, latency and the start of the answer', async () => {
    const result = await sendNotification(`${base}/ok`, '{"a":1}', { 'X-Kipper-Event': 'revision.live' }, { allowPrivate: true });
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null, refused: false, excerpt: 'thanks' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const request = seen.at(-1)!;
    expect(request.body).toBe('{"a":1}');
    expect(request.headers['x-kipper-event']).toBe('revision.live');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^Kipper-Notifications/);
  });

  it('a non-2xx answer fails with its status and a 500-character excerpt', async () => {
    const result = await sendNotification(`${base}/fail`, '{}', {}, { allowPrivate: true });
    expect(result).toMatchObject({ ok: false, statusCode: 500, error: 'answered 500', refused: false });
    expect(result.excerpt).toHaveLength(500);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    const result = await sendNotification(`${base}/redirect`, '{}', {}, { allowPrivate: true });
    expect(result).toMatchObject({ ok: false, statusCode: 302, refused: false });
    expect(result.error).toMatch(/redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\/, which Kipper does not follow/);
    expect(seen.length).toBe(before + 1);
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    const result = await sendNotification(`${base}/slow`, '{}', {}, { allowPrivate: true, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const result = await sendNotification(`http://127.0.0.1:${port}/`, '{}', {}, { allowPrivate: true });
    expect(result).toMatchObject({ ok: false, statusCode: null, refused: false, error: 'connection refused (nothing listening)' });
  });

  it('refuses private addresses without connecting, also when a name resolves to one at send time', async () => {
    const before = seen.length;
    const literal = await sendNotification(`${base}/ok`, '{}', {}, { allowPrivate: false });
    expect(literal).toMatchObject({ ok: false, refused: true, statusCode: null });
    expect(literal.error).toMatch(/loopback, link-local or private address.*KIPPER_NOTIFY_ALLOW_PRIVATE=true/);
    // A name that resolved to a public address when the channel was made, and to 127.0.0.1 now.
    const port = new URL(base).port;
    const rebinding = ((_host: string, _options: unknown, callback: (err: null, addresses: { address: string; family: number }[]) => void) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof dnsLookup;
    const named = await sendNotification(`http://hooks.example.com:${port}/ok`, '{}', {}, { allowPrivate: false, lookup: rebinding });
    expect(named).toMatchObject({ ok: false, refused: true });
    expect(named.error).toMatch(/hooks\.example\.com \(127\.0\.0\.1\)/);
    expect(seen.length).toBe(before);
    // Allowed, the same name connects.
    const allowed = await sendNotification(`http://hooks.example.com:${port}/ok`, '{}', {}, { allowPrivate: true, lookup: rebinding });
    expect(allowed).toMatchObject({ ok: true, statusCode: 200 });
  });
});
