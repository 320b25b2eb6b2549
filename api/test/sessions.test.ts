import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sessionCookie } from '../src/people/cookies.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, ok } from './helpers.js';
import { createPerson, graphqlAs, PASSWORD, postSession, signIn } from './people.helpers.js';

/** Console sessions over the real api: cookie, CSRF, sign-out, refusals, passwords at rest, rate limits. */
let k: RunningKipper;

beforeAll(async () => {
  k = await startKipper();
  await createPerson(k, 'ada', { admin: true });
  await createPerson(k, 'vic');
});
afterAll(async () => {
  await k?.stop();
});

function socketWithCookie(cookie: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  };
}

function connect(cookie: string, csrfToken: string | undefined): Promise<{ closed: number }> {
  return new Promise((resolve) => {
    const client = createClient({ url: k.wsUrl, webSocketImpl: socketWithCookie(cookie), retryAttempts: 0, lazy: false, connectionParams: csrfToken ? { csrfToken } : {}, on: { closed: (e) => resolve({ closed: (e as { code: number }).code }) }, onNonLazyError: () => undefined });
    client.subscribe({ query: '{ __typename }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });
}

describe('a console session', () => {
  it('starts with the name and password: an HttpOnly, SameSite=Lax cookie (Secure only for https) and a CSRF token', async () => {
    const res = await postSession(k, { name: 'ada', password: PASSWORD });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: unknown; csrfToken: string };
    expect(body.user).toEqual({ name: 'ada', displayName: null, admin: true });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^kipper_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax']);
    expect(sessionCookie('v', { secure: true, expires: null })).toBe('kipper_session=v; HttpOnly; SameSite=Lax; Path=/; Secure');
    // The table keeps a hash of the cookie, never the cookie or the CSRF token.
    const value = cookie.split(';')[0]!.split('=')[1]!;
    const dump = JSON.stringify(await k.kipper.services.dataSource.query('SELECT * FROM session'));
    expect(dump).not.toContain(value);
    expect(dump).not.toContain(body.csrfToken);
    const who = await fetch(`${k.url}/api/v1/session`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(await who.json()).toEqual({ user: { name: 'ada', displayName: null, admin: true }, csrfToken: body.csrfToken });
  });

  it('authenticates GraphQL over HTTP only with the CSRF header: without it a mutation is refused and changes nothing', async () => {
    const session = await signIn(k, 'ada');
    const create = 'mutation { createProject(input: { name: "csrf" }) { name } }';
    for (const csrf of [null, 'wrong']) {
      const { status, body } = await graphqlAs(k, session, create, {}, csrf);
      expect(status).toBe(403);
      expect(codeOf(body)).toBe('FORBIDDEN');
      expect(body.errors![0]!.message).toMatch(/CSRF/);
    }
    expect(ok(await k.graphql('{ project(name: "csrf") { name } }'))).toEqual({ project: null });
    const { body } = await graphqlAs<{ createProject: { name: string } }>(k, session, create);
    expect(ok(body).createProject.name).toBe('csrf');
    const audit = (await k.kipper.services.dataSource.query(`SELECT actor FROM audit_entry WHERE action = 'project.create'`)) as { actor: string }[];
    expect(audit).toEqual([{ actor: 'ada' }]);
  });

  it('authenticates a WebSocket by the cookie only with connectionParams.csrfToken, and closes it when the session ends', async () => {
    const session = await signIn(k, 'ada');
    expect(await connect(session.cookie, undefined)).toEqual({ closed: 4403 });
    expect(await connect(session.cookie, 'wrong')).toEqual({ closed: 4403 });
    const open = connect(session.cookie, session.csrfToken);
    await new Promise((r) => setTimeout(r, 300));
    const refused = await fetch(`${k.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: session.cookie } });
    expect(refused.status).toBe(403);
    const out = await fetch(`${k.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: session.cookie, 'x-kipper-csrf': session.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kipper_session=; .*Expires=Thu, 01 Jan 1970/);
    expect((await fetch(`${k.url}/api/v1/session`, { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await graphqlAs(k, session, '{ projects { name } }')).status).toBe(401);
    expect(await open).toEqual({ closed: 4403 });
  });

  it('ends when the person is disabled', async () => {
    const session = await signIn(k, 'vic');
    ok(await k.graphql('mutation { disableUser(name: "vic") { disabledAt } }'));
    expect((await fetch(`${k.url}/api/v1/session`, { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await postSession(k, { name: 'vic', password: PASSWORD })).status).toBe(401);
  });
});

describe('passwords', () => {
  it('refuse a wrong password and an unknown name with the same answer', async () => {
    const wrong = await postSession(k, { name: 'ada', password: 'not the password' });
    const unknown = await postSession(k, { name: 'nobody', password: PASSWORD });
    const expected = { error: { code: 'UNAUTHENTICATED', message: 'Wrong name or password.' } };
    expect([wrong.status, await wrong.json()]).toEqual([401, expected]);
    expect([unknown.status, await unknown.json()]).toEqual([401, expected]);
  });

  it('take as long to refuse for an unknown name as for a wrong password (both run scrypt)', async () => {
    const users = k.kipper.services.users;
    const time = async (name: string) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 3; i++) expect(await users.verify(name, 'not the password')).toBeNull();
      return Number(process.hrtime.bigint() - started) / 3e6;
    };
    await time('nobody'); // warm up (the dummy hash is made once)
    const known = await time('ada');
    const unknown = await time('nobody');
    // scrypt with N = 2^15 takes tens of milliseconds; a path that skipped it would take well under 1.
    expect(known).toBeGreaterThan(5);
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(unknown / known).toBeLessThan(2);
  });

  it('are stored as scrypt hashes and never written in plain text, in the table or the log', async () => {
    const rows = (await k.kipper.services.dataSource.query('SELECT * FROM kipper_user')) as { name: string; password_hash: string | null }[];
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(rows.find((r) => r.name === 'ada')!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(k.logs.join('\n')).not.toContain(PASSWORD);
    const audit = JSON.stringify(await k.kipper.services.dataSource.query('SELECT * FROM audit_entry'));
    expect(audit).not.toContain(PASSWORD);
  });
});

describe('sign-in attempts', () => {
  it('are rate limited (429 RATE_LIMITED with Retry-After), even with the right password afterwards', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await postSession(k, { name: 'ada', password: `guess ${i}` });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited, 'no attempt was limited').toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await postSession(k, { name: 'ada', password: PASSWORD })).status).toBe(429);
  });
});
