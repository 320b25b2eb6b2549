import type { TadaDocumentNode } from 'gql.tada';
import { wireOperation } from './document.js';
import { decodeGraphQLErrors, KipperClientError } from './errors.js';

/** The header that carries a console session's CSRF token (the cookie alone is not enough). */
export const CSRF_HEADER = 'x-kipper-csrf';

export interface RequestOptions {
  /** Instead of the client's token, e.g. to check one before signing in with it. */
  token?: string;
  /** Aborting rejects with the signal's reason, not a KipperClientError. */
  signal?: AbortSignal;
}

/** What the transport asks of `fetch`; the global one by default. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal | null },
) => Promise<{ status: number; text(): Promise<string>; headers?: { get(name: string): string | null } }>;

interface HttpSettings {
  url: string;
  token(): string | null | undefined;
  /** A console session's CSRF token, sent as X-Kipper-CSRF when there is no bearer token. */
  csrfToken?(): string | null | undefined;
  timeoutMs: number | undefined;
  fetch: FetchLike | undefined;
}

/** The reason a fetch failed, in the words of the layer that knows (e.g. `connect ECONNREFUSED …`). */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause && typeof cause === 'object') {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof message === 'string' && message) return message;
    if (typeof code === 'string') return code;
  }
  return error.message;
}

/** A query or mutation as an HTTP POST; answers `data` or throws a KipperClientError. */
export async function postOperation<R, V>(
  settings: HttpSettings,
  document: TadaDocumentNode<R, V>,
  variables: V,
  options: RequestOptions = {},
): Promise<R> {
  const token = options.token ?? settings.token();
  const csrf = token ? null : settings.csrfToken?.();
  const timeout = settings.timeoutMs === undefined ? undefined : AbortSignal.timeout(settings.timeoutMs);
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await (settings.fetch ?? fetch)(settings.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(csrf ? { [CSRF_HEADER]: csrf } : {}),
      },
      body: JSON.stringify({ ...wireOperation(document), variables: variables ?? {} }),
      signal: signals.length ? AbortSignal.any(signals) : null,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = timeout?.aborted ? `no answer within ${(settings.timeoutMs ?? 0) / 1000}s` : networkReason(error);
    throw new KipperClientError('UNREACHABLE', reason);
  }
  const body = parseBody<R>(await response.text().catch(() => ''));
  // The id the server gave this request (X-Request-Id): a person quotes it, an operator finds its log lines.
  const requestId = response.headers?.get('x-request-id') ?? undefined;
  if (body?.errors?.length) throw decodeGraphQLErrors(body.errors, response.status, requestId);
  if (response.status === 401 || response.status === 403) {
    throw new KipperClientError('UNAUTHENTICATED', token ? 'The API token was refused.' : 'Not signed in.', { status: response.status, requestId });
  }
  if (body?.data == null) {
    throw new KipperClientError('BAD_RESPONSE', `HTTP ${response.status} without a GraphQL result`, { status: response.status, requestId });
  }
  return body.data;
}

function parseBody<R>(text: string): { data?: R | null; errors?: unknown[] } | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return body && typeof body === 'object' ? (body as { data?: R | null; errors?: unknown[] }) : undefined;
  } catch {
    return undefined;
  }
}
