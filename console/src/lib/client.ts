import { createKipperClient, type TadaDocumentNode } from '@kipper/client';
import { connection } from './connection.svelte';
import { handleError, type UserError } from './errors';
import { session } from './session.svelte';

function backoff(retries: number): Promise<void> {
  // 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so that many tabs do not reconnect at once.
  const delay = Math.min(10_000, 500 * 2 ** retries) + Math.random() * 300;
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** The api that served this page, with the session's token or cookie; live updates retry for as long as the tab is open. */
const kipper = createKipperClient({
  url: new URL('graphql', new URL('/', location.href)).href,
  token: () => session.token,
  // A console session: the browser sends the cookie; the CSRF token proves the request is the console's.
  csrfToken: () => session.csrfToken,
  live: {
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: backoff,
    keepAliveMs: 10_000,
    lazyCloseTimeoutMs: 3_000,
    onConnected: (again) => {
      if (again) connection.reconnected();
    },
    onClosed: (error) => {
      if (!error) return;
      if (error.code === 'UNAUTHENTICATED') {
        connection.reconnecting = false;
        connection.failed = error.message;
        handleError(error);
        return;
      }
      connection.reconnecting = true;
    },
  },
});

/** A query or mutation; failures are KipperClientErrors for `handleError`. */
export const request = kipper.request;

/**
 * Subscribes over graphql-ws. `onData` gets each payload; `onError` a UserError when the
 * subscription fails for good (a refused token ends the session instead). Returns the
 * unsubscribe function (use it as an $effect cleanup).
 */
export function subscribe<R, V>(
  document: TadaDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError?: (error: UserError) => void,
): () => void {
  const subscription = kipper.subscribe(document, variables, {
    next: onData,
    error: (error) => {
      // A refused token closed the socket: onClosed above ends the session.
      if (error.code === 'UNAUTHENTICATED' && error.close) return;
      // Not retried (e.g. 4500 from the server): say so instead of showing "Reconnecting…" forever.
      if (error.code === 'CONNECTION_CLOSED') connection.reconnecting = false;
      onError?.(handleError(error));
    },
  });
  return subscription.unsubscribe;
}
