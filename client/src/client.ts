import type { TadaDocumentNode } from 'gql.tada';
import { postOperation, type FetchLike, type RequestOptions } from './http.js';
import { LiveConnection, type LiveOptions, type Subscription, type SubscriptionSink } from './live.js';

export interface KipperClientOptions {
  /** The GraphQL endpoint, `https://kipper.example.com/graphql`; subscriptions use it with ws(s). */
  url: string;
  /** The API token, read for every request and connection (the console's session may change it). */
  token(): string | null | undefined;
  /**
   * A console session instead of a token: the browser sends the session cookie itself, and this
   * CSRF token goes with every request (X-Kipper-CSRF) and socket (`connectionParams.csrfToken`).
   */
  csrfToken?(): string | null | undefined;
  /** A WebSocket class where there is no global one. */
  webSocketImpl?: unknown;
  /** Or a function that loads it, called at the first subscription (the CLI loads `ws` so). */
  loadWebSocketImpl?(): Promise<unknown>;
  /** Instead of the global `fetch` (the CLI's, on node:http, starts and exits faster than Node's). */
  fetch?: FetchLike;
  /** Gives up on an HTTP request after this long (UNREACHABLE); default: waits. */
  timeoutMs?: number;
  live?: LiveOptions;
}

/** Kipper's GraphQL API for the CLI and the console: every failure is a KipperClientError. */
export interface KipperClient {
  /** The GraphQL endpoint. */
  readonly url: string;
  /** A query or mutation over HTTP. */
  request<R, V>(document: TadaDocumentNode<R, V>, variables: V, options?: RequestOptions): Promise<R>;
  /** A subscription over graphql-ws. */
  subscribe<R, V>(document: TadaDocumentNode<R, V>, variables: V, sink: SubscriptionSink<R>): Subscription;
  /** Closes the socket; a CLI run ends with it. */
  close(): Promise<void>;
}

export function createKipperClient(options: KipperClientOptions): KipperClient {
  const http = { url: options.url, token: options.token, csrfToken: options.csrfToken, timeoutMs: options.timeoutMs, fetch: options.fetch };
  const live = new LiveConnection({
    url: options.url,
    token: options.token,
    csrfToken: options.csrfToken,
    webSocketImpl: options.webSocketImpl,
    loadWebSocketImpl: options.loadWebSocketImpl,
    options: options.live ?? {},
  });
  return {
    url: options.url,
    request: (document, variables, requestOptions) => postOperation(http, document, variables, requestOptions),
    subscribe: (document, variables, sink) => live.subscribe(document, variables, sink),
    close: () => live.close(),
  };
}
