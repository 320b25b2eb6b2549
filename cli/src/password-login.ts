import { hostname } from 'node:os';
import { createKipperClient, CreateTokenMutation, KipperClientError } from '@kipper/client';
import { CliError, ExitCode } from './errors.js';
import { nodeFetch } from './http-fetch.js';

interface Session {
  cookie: string;
  csrfToken: string;
}

async function signIn(server: string, name: string, password: string): Promise<Session> {
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  } catch (err) {
    throw new CliError(`Cannot reach Kipper at ${server}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, ExitCode.Failed, 'UNREACHABLE');
  }
  const body = (await res.json().catch(() => ({}))) as { csrfToken?: string; error?: { code?: string; message?: string } };
  if (res.status === 401) throw new CliError('Wrong name or password. Nothing was saved.', ExitCode.Failed, 'UNAUTHENTICATED');
  if (res.status === 429) throw new CliError(body.error?.message ?? 'Too many sign-in attempts: try again later.', ExitCode.Failed, 'RATE_LIMITED');
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 200 || !cookie || !body.csrfToken) throw new CliError(`${server} did not answer the sign-in as Kipper does (HTTP ${res.status}).`, ExitCode.Failed, 'BAD_RESPONSE');
  return { cookie, csrfToken: body.csrfToken };
}

/**
 * `kip login` with a name and password: signs in, creates a personal token named `kip on HOST`
 * through the session (the password is never stored), signs out again, and returns the token.
 */
export async function personalTokenFromPassword(server: string, name: string, password: string): Promise<{ token: string; tokenName: string }> {
  const session = await signIn(server, name, password);
  const client = createKipperClient({
    url: `${server}/graphql`,
    token: () => null,
    fetch: (url, init) => nodeFetch(url, { ...init, headers: { ...init.headers, cookie: session.cookie, 'x-kipper-csrf': session.csrfToken } }),
    timeoutMs: 30_000,
  });
  try {
    const base = `kip on ${hostname()}`.slice(0, 90);
    for (let n = 1; ; n++) {
      const tokenName = n === 1 ? base : `${base} (${n})`;
      try {
        const { createToken } = await client.request(CreateTokenMutation, { input: { name: tokenName } });
        return { token: createToken.value, tokenName };
      } catch (err) {
        if (!(err instanceof KipperClientError && err.code === 'TOKEN_EXISTS') || n >= 20) throw err;
      }
    }
  } finally {
    await client.close();
    await fetch(`${server}/api/v1/session`, { method: 'DELETE', headers: { cookie: session.cookie, 'x-kipper-csrf': session.csrfToken } }).catch(() => undefined);
  }
}
