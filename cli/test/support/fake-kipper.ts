import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/**
 * A stand-in for the Kipper API in unit tests: serves schema/schema.graphql over HTTP and
 * graphql-ws at /graphql, so every operation the CLI sends is validated against the contract.
 * Tests give the root resolvers; subscription events are pushed with `publish`.
 */
export const schema = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));

export type Resolver = (args: Record<string, unknown>) => unknown;

export interface Call {
  kind: 'http' | 'subscribe';
  operationName: string | undefined;
  variables: Record<string, unknown>;
  authorization: string | undefined;
}

export interface FakeKipper {
  url: string;
  token: string;
  calls: Call[];
  root: Record<string, Resolver>;
  publish(field: string, payload: unknown): void;
  subscribers(field: string): number;
  close(): Promise<void>;
}

export function apiError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

class Channel {
  private readonly queue: unknown[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  push(value: unknown) {
    this.queue.push(value);
    this.wake?.();
  }
  close() {
    this.closed = true;
    this.wake?.();
  }
  async *iterate(): AsyncGenerator<unknown> {
    while (!this.closed) {
      if (this.queue.length) {
        yield this.queue.shift();
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeKipper(root: Record<string, Resolver> = {}, token = 'test-token'): Promise<FakeKipper> {
  const calls: Call[] = [];
  const channels = new Map<string, Set<Channel>>();
  const authorised = (value: unknown) => value === `Bearer ${token}`;

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url !== '/graphql' || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
        return;
      }
      const request = JSON.parse(await body(req)) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      calls.push({
        kind: 'http',
        operationName: request.operationName,
        variables: request.variables ?? {},
        authorization: req.headers.authorization,
      });
      res.setHeader('content-type', 'application/json');
      if (!authorised(req.headers.authorization)) {
        res.end(JSON.stringify({ errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      const result = await graphql({
        schema,
        source: request.query,
        variableValues: request.variables ?? {},
        operationName: request.operationName ?? null,
        rootValue: fake.root,
      });
      res.end(JSON.stringify(result));
    })();
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      schema,
      onConnect: (ctx) => authorised((ctx.connectionParams as Record<string, unknown> | undefined)?.authorization),
      onSubscribe: (_ctx, _id, payload) => {
        calls.push({
          kind: 'subscribe',
          operationName: payload.operationName ?? undefined,
          variables: payload.variables ?? {},
          authorization: undefined,
        });
      },
      roots: {
        subscription: new Proxy(
          {},
          {
            get: (_t, field: string) => () => {
              const channel = new Channel();
              let set = channels.get(field);
              if (!set) channels.set(field, (set = new Set()));
              set.add(channel);
              const iterator = channel.iterate();
              return {
                [Symbol.asyncIterator]() {
                  return this;
                },
                next: () => iterator.next(),
                return: async () => {
                  channel.close();
                  set.delete(channel);
                  return { done: true, value: undefined };
                },
              };
            },
          },
        ),
      },
    },
    wss,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  const fake: FakeKipper = {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    root,
    publish(field, payload) {
      for (const channel of channels.get(field) ?? []) channel.push({ [field]: payload });
    },
    subscribers: (field) => channels.get(field)?.size ?? 0,
    async close() {
      for (const set of channels.values()) for (const c of set) c.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}
