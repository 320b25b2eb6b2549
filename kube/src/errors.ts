import { ApiException } from '@kubernetes/client-node';

export type ClusterErrorCode =
  | 'CLUSTER_UNREACHABLE'
  | 'CLUSTER_NOT_FOUND'
  | 'CLUSTER_CONFLICT'
  | 'CLUSTER_INVALID'
  | 'CLUSTER_FORBIDDEN'
  | 'CLUSTER_ERROR';

/**
 * The one error type of the cluster module. `status` is the HTTP status of the Kubernetes API
 * answer (absent for network failures), `reason` the Status reason (`AlreadyExists`, `Conflict`,
 * `NotFound`...). The message never carries request bodies, headers or secret data.
 */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The `reason` of a ClusterError refusing to touch an object Kipper did not create. */
export const NOT_MANAGED_REASON = 'NotManagedByKipper';

/**
 * An object of the name Kipper wants exists without `app.kubernetes.io/managed-by=kipper`: Kipper
 * neither replaces nor deletes it. Not an API answer (no `status`), so conflict retries skip it.
 */
export function notManagedError(kind: string, namespace: string, name: string): ClusterError {
  return new ClusterError(
    'CLUSTER_CONFLICT',
    `${kind} ${namespace}/${name} exists and is not managed by Kipper; delete or rename it`,
    undefined,
    NOT_MANAGED_REASON,
  );
}

export const isNotManaged = (err: unknown): boolean => err instanceof ClusterError && err.reason === NOT_MANAGED_REASON;

/**
 * Network error codes (Node system errors as surfaced by node-fetch) worth retrying. Exported so
 * the worker judges a dropped connection the same way the cluster client does.
 */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(err: ApiException<unknown>): StatusBody {
  const body = err.body;
  if (body && typeof body === 'object') return body as StatusBody;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') return parsed as StatusBody;
    } catch {
      // not JSON: a plain-text answer, whose text we do not echo
    }
  }
  return {};
}

/** HTTP status of an API answer, or of a watch/log failure; undefined for network errors. */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ClusterError) return err.status;
  if (err instanceof ApiException) return err.code;
  if (err && typeof err === 'object' && 'statusCode' in err && typeof err.statusCode === 'number') return err.statusCode;
  return undefined;
}

/** Kubernetes Status reason (`AlreadyExists`, `Conflict`, ...) of an API answer. */
export function reasonOf(err: unknown): string | undefined {
  if (err instanceof ClusterError) return err.reason;
  if (err instanceof ApiException) return statusBody(err).reason;
  return undefined;
}

function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isNetworkError(err: unknown): boolean {
  if (err instanceof ApiException || err instanceof ClusterError) return false;
  const code = networkCode(err);
  if (code && (TRANSIENT_NETWORK_CODES.has(code) || code === 'ENOTFOUND')) return true;
  const type = err && typeof err === 'object' ? (err as { type?: unknown }).type : undefined;
  return type === 'system' || (err instanceof Error && /socket hang up|fetch failed|network/i.test(err.message));
}

/** Errors worth another attempt: connection refused/reset, 429, 5xx. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ClusterError) return err.code === 'CLUSTER_UNREACHABLE' && err.status === undefined;
  const status = statusOf(err);
  if (status !== undefined) return status === 429 || (status >= 500 && status !== 501);
  const code = networkCode(err);
  if (code === 'ENOTFOUND') return false;
  return isNetworkError(err);
}

/** Awaits a call whose 404 (the object is already gone) counts as success. */
export async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ClusterError && err.code === 'CLUSTER_NOT_FOUND')) throw err;
  }
}

export const isAlreadyExists = (err: unknown) => statusOf(err) === 409 && reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown) => statusOf(err) === 409 && reasonOf(err) !== 'AlreadyExists';

function codeForStatus(status: number): ClusterErrorCode {
  if (status === 404) return 'CLUSTER_NOT_FOUND';
  if (status === 409) return 'CLUSTER_CONFLICT';
  if (status === 400 || status === 422) return 'CLUSTER_INVALID';
  if (status === 401 || status === 403) return 'CLUSTER_FORBIDDEN';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'CLUSTER_UNREACHABLE';
  return 'CLUSTER_ERROR';
}

/** Removes every occurrence of the given secrets (and their base64 forms) from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) out = out.split(form).join('[redacted]');
  }
  return out;
}

/**
 * Turns anything thrown by the client into a ClusterError with a stable code. `action` says what
 * was attempted (`read Deployment shop/api`); `secrets` are scrubbed from the message.
 */
export function toClusterError(err: unknown, action: string, secrets: readonly string[] = []): ClusterError {
  if (err instanceof ClusterError) return err;
  const status = statusOf(err);
  if (status !== undefined) {
    const body = err instanceof ApiException ? statusBody(err) : {};
    const detail = body.message ?? (err instanceof ApiException ? `HTTP ${status}` : (err as Error).message);
    return new ClusterError(codeForStatus(status), redact(`${action}: ${detail}`, secrets), status, body.reason);
  }
  if (isNetworkError(err)) {
    const code = networkCode(err) ?? 'network error';
    return new ClusterError('CLUSTER_UNREACHABLE', `${action}: cluster unreachable (${code})`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ClusterError('CLUSTER_ERROR', redact(`${action}: ${message}`, secrets));
}
