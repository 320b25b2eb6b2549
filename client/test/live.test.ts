import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { BuildLogSubscription, createKipperClient, KipperClientError } from '../src/index.js';

const schema = buildSchema(await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));

/** A graphql-ws server that accepts the token `good` and sends two log lines per subscription. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      schema,
      // A token, or (a console session) the session's CSRF token beside the cookie.
      onConnect: (ctx) => {
        const params = ctx.connectionParams as { authorization?: string; csrfToken?: string } | undefined;
        return params?.authorization === 'Bearer good' || params?.csrfToken === 'session-csrf';
      },
      roots: {
        subscription: {
          buildLog: async function* () {
            yield { buildLog: { buildId: '1', line: 'one' } };
            yield { buildLog: { buildId: '1', line: 'two' } };
          },
        },
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function collect(token: string, onClosed: (error: KipperClientError | null) => void = () => undefined) {
  const client = createKipperClient({ url, token: () => token, webSocketImpl: WebSocket, live: { retryAttempts: 0, onClosed } });
  const lines: string[] = [];
  const ended = new Promise<KipperClientError | 'complete'>((resolve) => {
    const subscription = client.subscribe(BuildLogSubscription, { buildId: '1' }, {
      next: (data) => lines.push(data.buildLog.line),
      error: resolve,
      complete: () => resolve('complete'),
    });
    subscription.ready.catch(() => undefined);
  });
  return { client, lines, ended };
}

describe('subscriptions', () => {
  it('deliver the payloads over ws with the token in connectionParams', async () => {
    const { client, lines, ended } = collect('good');
    expect(await ended).toBe('complete');
    expect(lines).toEqual(['one', 'two']);
    await client.close();
  });

  it('a refused token is UNAUTHENTICATED, without retrying, and the socket says so', async () => {
    const closes: (KipperClientError | null)[] = [];
    const { client, ended } = collect('bad', (error) => closes.push(error));
    const error = await ended;
    expect(error).toBeInstanceOf(KipperClientError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', close: { code: 4403 } });
    expect(closes.map((c) => c?.code)).toEqual(['UNAUTHENTICATED']);
    await client.close();
  });

  it('a console session sends its CSRF token in connectionParams, and a new socket when it changes', async () => {
    let csrf = 'session-csrf';
    const client = createKipperClient({ url, token: () => null, csrfToken: () => csrf, webSocketImpl: WebSocket, live: { retryAttempts: 0 } });
    const run = () =>
      new Promise<KipperClientError | 'complete'>((resolve) => {
        client.subscribe(BuildLogSubscription, { buildId: '1' }, { next: () => undefined, error: resolve, complete: () => resolve('complete') }).ready.catch(() => undefined);
      });
    expect(await run()).toBe('complete');
    csrf = 'another-session';
    expect(await run()).toMatchObject({ code: 'UNAUTHENTICATED' });
    await client.close();
  });
});
