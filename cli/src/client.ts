import { print, type DocumentNode } from 'graphql';
import type { TadaDocumentNode } from 'gql.tada';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, UsageError } from './errors.js';

/** The codes of the `ErrorCode` enum in schema/schema.graphql, plus GraphQL's own. */
export type ApiErrorCode = string;

export interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

export interface SubscriptionSink<R> {
  next(data: R): void;
  error(error: CliError): void;
  complete?(): void;
}

export interface Subscription {
  /** Resolves when the WebSocket is connected and the subscription was sent. */
  ready: Promise<void>;
  unsubscribe(): void;
}

export interface KipperClient {
  readonly server: string;
  request<R, V>(document: TadaDocumentNode<R, V>, variables: V): Promise<R>;
  subscribe<R, V>(document: TadaDocumentNode<R, V>, variables: V, sink: SubscriptionSink<R>): Subscription;
  close(): Promise<void>;
}

export interface ClientOptions {
  server: string;
  token: string | undefined;
  /** Where the token came from, to say so when it is refused. */
  tokenFrom?: 'env' | 'config' | 'none';
  timeoutMs?: number;
}

const printed = new WeakMap<DocumentNode, string>();
function source(document: DocumentNode): string {
  let text = printed.get(document);
  if (!text) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

function operationName(document: DocumentNode): string | undefined {
  for (const def of document.definitions) {
    if (def.kind === 'OperationDefinition') return def.name?.value;
  }
  return undefined;
}

export function refusedTokenError(server: string, tokenFrom?: ClientOptions['tokenFrom']): CliError {
  const from = tokenFrom === 'env' ? ' (the token came from KIPPER_TOKEN)' : '';
  return new CliError(
    `The API token was refused${from}. Run \`kip login --server ${server} --token TOKEN\`.`,
    1,
    'UNAUTHENTICATED',
  );
}

export function unreachableError(server: string, reason: string): CliError {
  return new CliError(`Cannot reach Kipper at ${server}: ${reason}`, 1, 'UNREACHABLE');
}

/** Turns the first GraphQL error into a CliError carrying the API's code and message. */
export function apiError(errors: readonly GraphQLErrorLike[], options: ClientOptions): CliError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL';
  if (code === 'UNAUTHENTICATED') return refusedTokenError(options.server, options.tokenFrom);
  const message = first?.message || 'Kipper answered with an error and no message.';
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_USER_INPUT') {
    return new CliError(
      `Kipper did not understand the request (is this kip the same version as the server?): ${message}`,
      1,
      code,
    );
  }
  return new CliError(message, 1, code);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const { code, message } = cause as { code?: unknown; message?: unknown };
      if (typeof message === 'string' && message) return message;
      if (typeof code === 'string') return code;
    }
    return error.message;
  }
  return String(error);
}

export function graphqlEndpoint(server: string): string {
  return `${server}/graphql`;
}

export function createKipperClient(options: ClientOptions): KipperClient {
  const { server, token } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let ws: WsClient | undefined;
  let wsConnected = false;

  const requireToken = (): string => {
    if (!token) {
      throw new UsageError(
        'No API token: run `kip login --server URL --token TOKEN` or set KIPPER_TOKEN.',
      );
    }
    return token;
  };

  const wsClient = (): WsClient => {
    if (ws) return ws;
    const authorization = `Bearer ${requireToken()}`;
    class AuthorizedWebSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { headers: { Authorization: authorization } });
      }
    }
    ws = createClient({
      url: graphqlEndpoint(server).replace(/^http/, 'ws'),
      webSocketImpl: AuthorizedWebSocket,
      connectionParams: { authorization },
      retryAttempts: 3,
      keepAlive: 15_000,
    });
    ws.on('connected', () => {
      wsConnected = true;
    });
    ws.on('closed', () => {
      wsConnected = false;
    });
    return ws;
  };

  const wsError = (error: unknown): CliError => {
    if (error instanceof CliError) return error;
    if (Array.isArray(error)) return apiError(error as GraphQLErrorLike[], options);
    if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
      const { code, reason } = error as { code: number; reason?: string };
      if (code === 4401 || code === 4403) return refusedTokenError(server, options.tokenFrom);
      return unreachableError(server, `the live-update connection closed (${code}${reason ? ` ${reason}` : ''})`);
    }
    if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
      return unreachableError(server, error.message);
    }
    return unreachableError(server, 'the live-update connection failed');
  };

  return {
    server,

    async request<R, V>(document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
      const authorization = `Bearer ${requireToken()}`;
      let response: Response;
      try {
        response = await fetch(graphqlEndpoint(server), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization,
          },
          body: JSON.stringify({
            query: source(document),
            variables: variables ?? {},
            operationName: operationName(document),
          }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw unreachableError(server, describeNetworkError(error, timeoutMs));
      }
      let body: { data?: R | null; errors?: GraphQLErrorLike[] } | undefined;
      const text = await response.text().catch(() => '');
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = undefined;
      }
      if (body?.errors?.length) throw apiError(body.errors, options);
      if (response.status === 401 || response.status === 403) throw refusedTokenError(server, options.tokenFrom);
      if (!body || typeof body !== 'object' || body.data == null) {
        throw new CliError(
          `Kipper at ${server} answered HTTP ${response.status} without a GraphQL result. Is the server URL right?`,
          1,
          'BAD_RESPONSE',
        );
      }
      return body.data;
    },

    subscribe<R, V>(document: TadaDocumentNode<R, V>, variables: V, sink: SubscriptionSink<R>): Subscription {
      let client: WsClient;
      try {
        client = wsClient();
      } catch (error) {
        const cliError = error instanceof CliError ? error : wsError(error);
        return { ready: Promise.reject(cliError), unsubscribe: () => undefined };
      }
      let settle: { resolve(): void; reject(error: CliError): void } | undefined;
      const ready = new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
      ready.catch(() => undefined);
      const offConnected = client.on('connected', () => settle?.resolve());
      if (wsConnected) settle?.resolve();
      let done = false;
      const dispose = client.subscribe(
        { query: source(document), variables: (variables ?? {}) as Record<string, unknown>, operationName: operationName(document) },
        {
          next: (result) => {
            if (done) return;
            if (result.errors?.length) {
              done = true;
              sink.error(apiError(result.errors as GraphQLErrorLike[], options));
              return;
            }
            if (result.data) sink.next(result.data as R);
          },
          error: (error: unknown) => {
            if (done) return;
            done = true;
            const cliError = wsError(error);
            settle?.reject(cliError);
            sink.error(cliError);
          },
          complete: () => {
            if (done) return;
            done = true;
            sink.complete?.();
          },
        },
      );
      return {
        ready,
        unsubscribe: () => {
          done = true;
          offConnected();
          dispose();
        },
      };
    },

    async close(): Promise<void> {
      if (ws) await ws.dispose();
      ws = undefined;
    },
  };
}
