import { print } from 'graphql/language/printer';
import type { DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import type { TadaDocumentNode } from 'gql.tada';
import { ApiError, fromGraphQLErrors, handleError, type UserError } from './errors';
import { session } from './session.svelte';
import { connection } from './connection.svelte';

const endpoint = new URL('graphql', new URL('/', location.href)).href;
const printed = new WeakMap<object, string>();

type Document = TadaDocumentNode<unknown, never>;

function source(document: Document): string {
  let text = printed.get(document);
  if (!text) {
    text = print(document as unknown as DocumentNode);
    printed.set(document, text);
  }
  return text;
}

function operationName(document: Document): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === 'OperationDefinition') return definition.name?.value;
  }
  return undefined;
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

/**
 * Runs a query or mutation over HTTP with the session's token. Throws ApiError with the
 * code from `extensions.code`; callers pass the error to `handleError`.
 */
export async function request<R, V>(
  document: TadaDocumentNode<R, V>,
  variables: V,
  options: { token?: string; signal?: AbortSignal } = {},
): Promise<R> {
  const token = options.token ?? session.token;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: source(document as Document), variables, operationName: operationName(document as Document) }),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('NETWORK', 'Kipper could not be reached.');
  }
  let body: GraphQLResponse<R> | undefined;
  try {
    body = (await response.json()) as GraphQLResponse<R>;
  } catch {
    body = undefined;
  }
  if (body?.errors?.length) throw fromGraphQLErrors(body.errors, response.status);
  if (!response.ok || !body?.data) throw fromGraphQLErrors(undefined, response.status);
  return body.data;
}

let wsClient: Client | null = null;
let wsToken: string | null = null;

function backoff(retries: number): Promise<void> {
  // 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so that many tabs do not reconnect at once.
  const delay = Math.min(10_000, 500 * 2 ** retries) + Math.random() * 300;
  return new Promise((resolve) => setTimeout(resolve, delay));
}

function socket(): Client {
  const token = session.token;
  if (wsClient && wsToken === token) return wsClient;
  void wsClient?.dispose();
  wsToken = token;
  let connectedOnce = false;
  const url = endpoint.replace(/^http/, 'ws');
  const client = createClient({
    url,
    connectionParams: () => (session.token ? { authorization: `Bearer ${session.token}` } : {}),
    lazy: true,
    lazyCloseTimeout: 3_000,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: backoff,
    // Retry lost connections (close events); 4403 means the token was refused: stop.
    shouldRetry: (event) => !(isCloseEvent(event) && event.code === 4403),
    on: {
      connected: (_socket, _payload, wasRetry) => {
        if (wasRetry || connectedOnce) connection.reconnected();
        connectedOnce = true;
      },
      closed: (event) => {
        if (client !== wsClient) return;
        if (isCloseEvent(event) && (event.code === 4403 || event.code === 4401)) {
          connection.reconnecting = false;
          connection.failed = event.reason || 'The server refused the connection.';
          handleError(new ApiError('UNAUTHENTICATED', event.reason || 'Your API token was refused.'));
          return;
        }
        // 1000 is a normal close of the idle lazy socket.
        if (!isCloseEvent(event) || event.code !== 1000) connection.reconnecting = true;
      },
    },
  });
  wsClient = client;
  return client;
}

function isCloseEvent(event: unknown): event is { code: number; reason: string } {
  return typeof event === 'object' && event !== null && 'code' in event && typeof (event as { code: unknown }).code === 'number';
}

/**
 * Subscribes over graphql-ws. `onData` gets each payload; `onError` a UserError when the
 * subscription fails for good. Lost connections are retried with backoff by the client.
 * Returns the unsubscribe function (use it as an $effect cleanup).
 */
export function subscribe<R, V>(
  document: TadaDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError?: (error: UserError) => void,
): () => void {
  return socket().subscribe<R>(
    { query: source(document as Document), variables: variables as Record<string, unknown>, operationName: operationName(document as Document) },
    {
      next: (result) => {
        if (result.errors?.length) {
          onError?.(handleError(fromGraphQLErrors(result.errors)));
          return;
        }
        if (result.data) onData(result.data);
      },
      error: (error) => {
        if (Array.isArray(error)) onError?.(handleError(fromGraphQLErrors(error)));
        else if (!isCloseEvent(error)) onError?.(handleError(error));
        else if (error.code !== 4403 && error.code !== 4401) {
          // A close the client does not retry (e.g. 4500 from the server): say so instead of
          // showing "Reconnecting…" forever.
          connection.reconnecting = false;
          onError?.({ code: 'NETWORK', message: `Live updates stopped (${error.code}${error.reason ? `: ${error.reason}` : ''}).`, hint: 'Reload the page to try again.' });
        }
      },
      complete: () => {},
    },
  );
}
