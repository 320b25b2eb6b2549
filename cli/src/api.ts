import { createKipperClient, KipperClientError, type KipperClient } from '@kipper/client';
import type { ResolvedConfig } from './config.js';
import { CliError, ExitCode, UsageError, withRequestId } from './errors.js';
import { nodeFetch } from './http-fetch.js';

/** Where `kip` sends its operations, and where the token came from (to say so when it is refused). */
export type ApiTarget = Pick<ResolvedConfig, 'server' | 'token' | 'tokenFrom'>;

function graphqlEndpoint(server: string): string {
  return `${server}/graphql`;
}

/** The client of one run: 30 s per request, a few reconnections of the live updates of `--wait`. */
export function connect(target: ApiTarget): KipperClient {
  const token = target.token;
  if (!token) throw new UsageError('No API token: run `kip login --server URL --token TOKEN` or set KIPPER_TOKEN.');
  return createKipperClient({
    url: graphqlEndpoint(target.server),
    token: () => token,
    fetch: nodeFetch,
    // `ws` (and graphql-ws) are loaded at the first subscription: only `--wait` and `--follow` use them.
    loadWebSocketImpl: async () => (await import('ws')).default,
    timeoutMs: 30_000,
    live: { retryAttempts: 3, keepAliveMs: 15_000 },
  });
}

function unreachable(server: string, reason: string): CliError {
  return new CliError(`Cannot reach Kipper at ${server}: ${reason}`, ExitCode.Failed, 'UNREACHABLE');
}

/** The CLI's words for a failure the client reports; the API's own messages are printed as they are. */
export function inCliWords(error: KipperClientError, target: ApiTarget): CliError {
  const { server } = target;
  if (error.code === 'UNAUTHENTICATED') {
    const from = target.tokenFrom === 'env' ? ' (the token came from KIPPER_TOKEN)' : '';
    return new CliError(
      `The API token was refused${from}. Run \`kip login --server ${server} --token TOKEN\`.`,
      ExitCode.Failed,
      'UNAUTHENTICATED',
    );
  }
  if (error.code === 'UNREACHABLE') return unreachable(server, error.message);
  if (error.code === 'CONNECTION_CLOSED') {
    const close = error.close;
    const detail = close ? `${close.code}${close.reason ? ` ${close.reason}` : ''}` : 'unknown';
    return unreachable(server, `the live-update connection closed (${detail})`);
  }
  if (error.code === 'BAD_RESPONSE') {
    return new CliError(
      withRequestId(`Kipper at ${server} answered HTTP ${error.status ?? '?'} without a GraphQL result. Is the server URL right?`, error.requestId),
      ExitCode.Failed,
      'BAD_RESPONSE',
    );
  }
  return new CliError(withRequestId(error.message, error.requestId), ExitCode.Failed, error.code);
}
