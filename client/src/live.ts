import type { TadaDocumentNode } from 'gql.tada';
import type { Client, createClient as CreateClient } from 'graphql-ws/client';
import { wireOperation } from './document.js';
import { decodeGraphQLErrors, KipperClientError, type SocketClose } from './errors.js';

export interface LiveOptions {
  /** Reconnections of a lost socket before subscriptions fail (default 3). */
  retryAttempts?: number;
  /** Waits before reconnection number `retries` (graphql-ws's default: exponential with jitter). */
  retryWait?(retries: number): Promise<void>;
  /** Ping interval that tells a dead connection from a quiet one. */
  keepAliveMs?: number;
  /** How long the socket stays open after the last subscription ended (default: closes at once). */
  lazyCloseTimeoutMs?: number;
  /** The socket is up; `again` when it had been up before (views may have missed events meanwhile). */
  onConnected?(again: boolean): void;
  /** The socket went down: `null` for a normal close, else why (UNAUTHENTICATED for a refused token). */
  onClosed?(error: KipperClientError | null): void;
}

export interface SubscriptionSink<R> {
  next(data: R): void;
  /** Called once; the subscription has ended. */
  error(error: KipperClientError): void;
  complete?(): void;
}

export interface Subscription {
  /** Resolves when the socket is connected (the subscription is then on its way to the server). */
  ready: Promise<void>;
  unsubscribe(): void;
}

interface LiveSettings {
  url: string;
  token(): string | null | undefined;
  csrfToken: (() => string | null | undefined) | undefined;
  webSocketImpl: unknown;
  /** Loads the WebSocket class at the first subscription, instead of `webSocketImpl`. */
  loadWebSocketImpl: (() => Promise<unknown>) | undefined;
  options: LiveOptions;
}

/** What the first subscription loads: graphql-ws and the WebSocket class. */
interface LiveModules {
  createClient: typeof CreateClient;
  webSocketImpl: unknown;
}

/** graphql-ws closes with 4401 before the handshake and 4403 when `onConnect` refused the token. */
const refusedCloseCodes = new Set([4401, 4403]);

function closeOf(event: unknown): SocketClose | undefined {
  if (typeof event !== 'object' || event === null || !('code' in event) || typeof event.code !== 'number') return undefined;
  const reason = 'reason' in event && typeof event.reason === 'string' ? event.reason : '';
  return { code: event.code, reason };
}

/** Whatever graphql-ws reports (GraphQL errors, a close event, an Error) as a KipperClientError. */
function decodeLiveFailure(failure: unknown): KipperClientError {
  if (failure instanceof KipperClientError) return failure;
  if (Array.isArray(failure)) return decodeGraphQLErrors(failure);
  const close = closeOf(failure);
  if (close && refusedCloseCodes.has(close.code)) {
    return new KipperClientError('UNAUTHENTICATED', close.reason || 'The API token was refused.', { close });
  }
  if (close) {
    const detail = `${close.code}${close.reason ? `: ${close.reason}` : ''}`;
    return new KipperClientError('CONNECTION_CLOSED', `The live-update connection closed (${detail}).`, { close });
  }
  const message = failure instanceof Error && failure.message ? failure.message : 'the live-update connection failed';
  return new KipperClientError('UNREACHABLE', message);
}

/**
 * Subscriptions over one graphql-ws socket, opened at the first subscription and authenticated
 * in `connectionParams`. When the token changes (another sign-in), the next subscription
 * opens a new socket with it.
 */
export class LiveConnection {
  private socket: Client | undefined;
  /** The credential the socket was opened with (token or session CSRF token). */
  private socketKey: string | undefined;
  private connected = false;
  /** graphql-ws is loaded at the first subscription, so that a run or a page without one never parses it. */
  private modules: LiveModules | undefined;
  private loading: Promise<LiveModules> | undefined;
  /** Subscriptions made while graphql-ws loads: `close()` lets them reach the socket first, then disposes it. */
  private attaching: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: LiveSettings) {}

  subscribe<R, V>(document: TadaDocumentNode<R, V>, variables: V, sink: SubscriptionSink<R>): Subscription {
    let done = false;
    let settle: { resolve(): void; reject(error: KipperClientError): void } | undefined;
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // `ready` is optional to await; a failure also reaches `sink.error`.
    ready.catch(() => undefined);
    let offConnected: (() => void) | undefined;
    let dispose: (() => void) | undefined;

    const fail = (error: KipperClientError) => {
      if (done) return;
      done = true;
      settle?.reject(error);
      sink.error(error);
    };
    const attach = (modules: LiveModules) => {
      // Unsubscribed while graphql-ws was loading.
      if (done) return;
      const socket = this.current(modules);
      offConnected = socket.on('connected', () => settle?.resolve());
      if (this.connected) settle?.resolve();
      dispose = socket.subscribe<R>(
        { ...wireOperation(document), variables: (variables ?? {}) as Record<string, unknown> },
        {
          next: (result) => {
            if (done) return;
            if (result.errors?.length) fail(decodeGraphQLErrors(result.errors));
            else if (result.data) sink.next(result.data);
          },
          error: (failure: unknown) => fail(decodeLiveFailure(failure)),
          complete: () => {
            if (done) return;
            done = true;
            sink.complete?.();
          },
        },
      );
    };

    if (this.modules) {
      attach(this.modules);
    } else {
      const attached = this.load().then(attach, (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        fail(new KipperClientError('UNREACHABLE', `the live-update client could not be loaded: ${reason}`));
      });
      this.attaching = Promise.all([this.attaching, attached]);
    }
    return {
      ready,
      unsubscribe: () => {
        done = true;
        offConnected?.();
        dispose?.();
      },
    };
  }

  async close(): Promise<void> {
    await this.attaching;
    const socket = this.socket;
    this.socket = undefined;
    await socket?.dispose();
  }

  private load(): Promise<LiveModules> {
    this.loading ??= (async () => {
      const { loadWebSocketImpl } = this.settings;
      const [{ createClient }, webSocketImpl] = await Promise.all([
        // The client alone: the package's index also holds the server, and with it graphql's executor.
        import('graphql-ws/client'),
        loadWebSocketImpl ? loadWebSocketImpl() : this.settings.webSocketImpl,
      ]);
      this.modules = { createClient, webSocketImpl };
      return this.modules;
    })();
    // A failed load is tried again by the next subscription.
    this.loading.catch(() => (this.loading = undefined));
    return this.loading;
  }

  private credentialKey(): string {
    const token = this.settings.token();
    return token ? `token:${token}` : `session:${this.settings.csrfToken?.() ?? ''}`;
  }

  private current({ createClient, webSocketImpl }: LiveModules): Client {
    const key = this.credentialKey();
    if (this.socket && this.socketKey === key) return this.socket;
    void this.socket?.dispose();
    this.socketKey = key;
    this.connected = false;
    const { options } = this.settings;
    let connectedBefore = false;
    const socket: Client = createClient({
      url: this.settings.url.replace(/^http/, 'ws'),
      webSocketImpl,
      connectionParams: () => {
        const current = this.settings.token();
        if (current) return { authorization: `Bearer ${current}` };
        const csrf = this.settings.csrfToken?.();
        return csrf ? { csrfToken: csrf } : {};
      },
      lazy: true,
      lazyCloseTimeout: options.lazyCloseTimeoutMs ?? 0,
      ...(options.keepAliveMs !== undefined ? { keepAlive: options.keepAliveMs } : {}),
      retryAttempts: options.retryAttempts ?? 3,
      ...(options.retryWait ? { retryWait: options.retryWait } : {}),
      // A refused token stays refused: fail at once instead of retrying.
      shouldRetry: (event) => {
        const close = closeOf(event);
        return close !== undefined && !refusedCloseCodes.has(close.code);
      },
      on: {
        connected: (_socket, _payload, wasRetry) => {
          if (socket !== this.socket) return;
          this.connected = true;
          options.onConnected?.(wasRetry || connectedBefore);
          connectedBefore = true;
        },
        closed: (event) => {
          if (socket !== this.socket) return;
          this.connected = false;
          options.onClosed?.(closeOf(event)?.code === 1000 ? null : decodeLiveFailure(event));
        },
      },
    });
    this.socket = socket;
    return socket;
  }
}
