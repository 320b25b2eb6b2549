import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';

/** Slow, greedy and malformed HTTP clients get short, JSON answers and cannot hold the api. */

let k: RunningKipper;
let port: number;
beforeAll(async () => {
  k = await startKipper({
    env: { KIPPER_HTTP_HEADERS_TIMEOUT_MS: '1000', KIPPER_HTTP_REQUEST_TIMEOUT_MS: '2000', KIPPER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '4' },
  });
  port = Number(new URL(k.url).port);
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return new Promise((resolve) => socket.once('close', () => resolve({ text, ms: Date.now() - started })));
}

/** Writes `text` a byte at a time, every `everyMs`, for as long as the socket stays open. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\n\s+at |node_modules|\/work\/|<html|<pre/i);
}

describe('malformed URLs', () => {
  for (const [method, path] of [
    ['GET', '/%zz'],
    ['GET', '/graphql/%E0%A4%A'],
    ['GET', '/no/such/page'],
    ['POST', '/api/v1/webhook/p-test/%zz'],
    ['POST', '/api/v1/webhook/%zz/app'],
  ] as const) {
    it(`${method} ${path} is a JSON error without a stack trace`, async () => {
      const res = await fetch(`${k.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      const text = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text) as { error?: { code: string }; errors?: { extensions: { code: string } }[] };
      // REST answers { error: { code, message } }; /graphql answers in GraphQL's own shape.
      const code = path.startsWith('/graphql') ? body.errors?.[0]?.extensions.code : body.error?.code;
      expect(code).toMatch(/^[A-Z_]+$/);
      expectNoInternals(text);
    });
  }
});

describe('slow clients', () => {
  it('headers trickled a byte at a time are cut off with 408 after KIPPER_HTTP_HEADERS_TIMEOUT_MS', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    trickle(socket, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 100);
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(4_000);
  });

  it('a body trickled a byte at a time is cut off with 408 after KIPPER_HTTP_REQUEST_TIMEOUT_MS', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(`POST /api/v1/webhook/p-test/web HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`);
    trickle(socket, `{"image":"${'a'.repeat(480)}"}`, 100);
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(6_000);
  });
});

describe('connections per address', () => {
  it('past KIPPER_HTTP_MAX_CONNECTIONS_PER_ADDRESS a new connection is closed at once; the others keep working', async () => {
    const held = await Promise.all([open(), open(), open(), open()]);
    const extra = await open();
    const { text } = await untilClosed(extra);
    expect(text).toBe('');
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const res = await fetch(`${k.url}/healthz`);
    expect(res.status).toBe(200);
  });
});
