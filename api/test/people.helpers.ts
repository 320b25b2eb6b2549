import type { GraphQLResponse, RunningKipper } from '../../test/support/kipper.js';
import { ok } from './helpers.js';

export const PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

/** POST /api/v1/session: the raw response. */
export function postSession(k: RunningKipper, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${k.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export async function signIn(k: RunningKipper, name: string, password = PASSWORD): Promise<SignedIn> {
  const res = await postSession(k, { name, password });
  if (res.status !== 200) throw new Error(`sign-in of ${name}: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie')!;
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0]!, csrfToken: body.csrfToken, setCookie };
}

/** POST /graphql with a session cookie (and its CSRF token unless `csrf: null`). */
export async function graphqlAs<T>(k: RunningKipper, session: SignedIn, query: string, variables: Record<string, unknown> = {}, csrf: string | null = session.csrfToken): Promise<{ status: number; body: GraphQLResponse<T> }> {
  const res = await fetch(k.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, ...(csrf !== null ? { 'x-kipper-csrf': csrf } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<T> };
}

/** Creates a person (as the admin token) and, when `project`, makes them a member with `role`. */
export async function createPerson(k: RunningKipper, name: string, options: { admin?: boolean; project?: string; role?: string } = {}): Promise<void> {
  ok(await k.graphql('mutation($input: CreateUserInput!) { createUser(input: $input) { name } }', { input: { name, password: PASSWORD, admin: options.admin ?? false } }));
  if (options.project) {
    ok(await k.graphql('mutation($p: String!, $u: String!, $r: ProjectRole!) { addProjectMember(project: $p, user: $u, role: $r) { role } }', { p: options.project, u: name, r: options.role ?? 'VIEWER' }));
  }
}

/** Signs in and creates a token of the person (personal, or scoped with `input`); returns its value. */
export async function tokenOf(k: RunningKipper, session: SignedIn, input: Record<string, unknown>): Promise<string> {
  const { body } = await graphqlAs<{ createToken: { value: string } }>(k, session, 'mutation($input: CreateTokenInput!) { createToken(input: $input) { value } }', { input });
  return ok(body).createToken.value;
}
