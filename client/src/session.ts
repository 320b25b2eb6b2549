import { isApiErrorCode, KipperClientError } from './errors.js';
import { CSRF_HEADER } from './http.js';

/** The person of a console session. */
export interface SessionUser {
  name: string;
  displayName: string | null;
  /** An instance admin. */
  admin: boolean;
}

/** A console session: the browser holds its cookie; the CSRF token goes with every request. */
export interface ConsoleSession {
  user: SessionUser;
  csrfToken: string;
}

/** How this Kipper lets people sign in (GET /api/v1/session/providers). */
export interface SignInProviders {
  password: boolean;
  /** Single sign-on: the button's name and where it starts; null when not configured. */
  oidc: { name: string; startUrl: string } | null;
}

type SessionFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string; credentials: 'same-origin' }) => Promise<{ status: number; text(): Promise<string> }>;

/** The REST session API at /api/v1/session (cookie sessions, for the console). */
export interface SessionApi {
  /** UNAUTHENTICATED "Wrong name or password." or RATE_LIMITED as the api words them. */
  signIn(name: string, password: string): Promise<ConsoleSession>;
  /** The session of this browser's cookie, or null when there is none. */
  current(): Promise<ConsoleSession | null>;
  signOut(csrfToken: string): Promise<void>;
  providers(): Promise<SignInProviders>;
}

/** `base`: the api's origin (`https://kipper.example.com/`). */
export function createSessionApi(base: string, fetchImpl: SessionFetch = fetch): SessionApi {
  const url = (path: string) => new URL(path, base).href;
  async function call<T>(method: string, path: string, options: { body?: unknown; csrf?: string } = {}): Promise<{ status: number; body: T | undefined }> {
    let response: Awaited<ReturnType<SessionFetch>>;
    try {
      response = await fetchImpl(url(path), {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.csrf ? { [CSRF_HEADER]: options.csrf } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new KipperClientError('UNREACHABLE', error instanceof Error ? error.message : String(error));
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body: body as T | undefined };
  }
  function failure(status: number, body: unknown): KipperClientError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
    if (isApiErrorCode(error?.code)) return new KipperClientError(error.code, message, { status });
    return new KipperClientError(status === 401 ? 'UNAUTHENTICATED' : 'BAD_RESPONSE', message, { status });
  }
  return {
    async signIn(name, password) {
      const { status, body } = await call<ConsoleSession>('POST', 'api/v1/session', { body: { name, password } });
      if (status !== 200 || !body?.csrfToken) throw failure(status, body);
      return body;
    },
    async current() {
      const { status, body } = await call<ConsoleSession>('GET', 'api/v1/session');
      if (status === 401) return null;
      if (status !== 200 || !body?.csrfToken) throw failure(status, body);
      return body;
    },
    async signOut(csrfToken) {
      const { status, body } = await call('DELETE', 'api/v1/session', { csrf: csrfToken });
      // Already gone (expired, ended elsewhere): signed out all the same.
      if (status !== 204 && status !== 401) throw failure(status, body);
    },
    async providers() {
      const { status, body } = await call<SignInProviders>('GET', 'api/v1/session/providers');
      if (status !== 200 || !body) throw failure(status, body);
      return body;
    },
  };
}
