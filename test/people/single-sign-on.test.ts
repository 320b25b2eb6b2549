// Console sign-in over HTTP (issue 11): cookie sessions need their CSRF token on every GraphQL
// request, and single sign-on through a real OpenID provider (oidc-provider on 127.0.0.1) ends
// every failure back at the console's sign-in page with a reason and no session. The browser
// test (test/browser/sign-in.test.ts) walks the provider's pages; this one checks each refusal.
import { claimedRoles, OidcIdentity, ProjectMember, User } from '@kipper/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { startOpenIdProvider, type LocalOpenIdProvider } from '../support/oidc-provider.js';

const PASSWORD = 'correct horse battery staple';

describe('console sign-in and single sign-on over HTTP', () => {
  let provider: LocalOpenIdProvider;
  let kipper: RunningKipper;
  const services = () => kipper.kipper.services;

  beforeAll(async () => {
    provider = await startOpenIdProvider();
    kipper = await startKipper({
      env: {
        KIPPER_OIDC_ISSUER: provider.issuer,
        KIPPER_OIDC_CLIENT_ID: provider.clientId,
        KIPPER_OIDC_CLIENT_SECRET: provider.clientSecret,
        KIPPER_OIDC_NAME: 'Test IdP',
        KIPPER_OIDC_ROLE_CLAIM: 'groups',
      },
    });
    provider.register(`${kipper.url}/api/v1/session/oidc/callback`);
    await services().users.create({ name: 'carol', password: PASSWORD }, 'admin');
    await kipper.data(`mutation { createProject(input: { name: "sso-shop", environments: ["test"] }) { id } }`);
  });

  afterAll(async () => {
    await kipper?.stop();
    await provider?.close();
  });

  /** The Set-Cookie headers of a response. */
  const cookies = (res: Response) => res.headers.getSetCookie();
  const sessionCookieOf = (res: Response) => cookies(res).find((c) => c.startsWith('kipper_session='))?.split(';')[0];

  async function passwordSession(): Promise<{ cookie: string; csrfToken: string }> {
    const res = await fetch(`${kipper.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'carol', password: PASSWORD }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: sessionCookieOf(res)!, csrfToken: body.csrfToken };
  }

  const createProject = (name: string, headers: Record<string, string>) =>
    fetch(`${kipper.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: `mutation { createProject(input: { name: "${name}", environments: ["test"] }) { name } }` }),
    });

  it('refuses a cookie-authenticated mutation without the CSRF header, or with a wrong one, and changes nothing', async () => {
    await services().users.create({ name: 'ida', password: PASSWORD, admin: true }, 'admin');
    const res = await fetch(`${kipper.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ida', password: PASSWORD }) });
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = sessionCookieOf(res)!;

    const attempts: Record<string, string>[] = [{ cookie }, { cookie, 'x-kipper-csrf': 'not-the-token' }];
    for (const headers of attempts) {
      const refused = await createProject('csrf-victim', headers);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
      expect(body.errors[0]!.message).toMatch(/CSRF/);
    }
    expect(await services().projects.get('csrf-victim')).toBeNull();

    const allowed = await createProject('csrf-victim', { cookie, 'x-kipper-csrf': csrfToken });
    expect(((await allowed.json()) as { data: { createProject: { name: string } } }).data.createProject.name).toBe('csrf-victim');
  });

  it('ends a session with DELETE: the cookie no longer works', async () => {
    const { cookie, csrfToken } = await passwordSession();
    expect((await fetch(`${kipper.url}/api/v1/session`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${kipper.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-kipper-csrf': csrfToken } });
    expect(out.status).toBe(204);
    expect((await fetch(`${kipper.url}/api/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('tells the console which sign-ins this Kipper offers', async () => {
    const res = await fetch(`${kipper.url}/api/v1/session/providers`);
    expect(await res.json()).toEqual({ password: true, oidc: { name: 'Test IdP', startUrl: '/api/v1/session/oidc/start' } });
  });

  /** GET /oidc/start: the provider's authorization URL and the sealed state cookie. */
  async function start(): Promise<{ location: URL; stateCookie: string }> {
    const res = await fetch(`${kipper.url}/api/v1/session/oidc/start`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const stateCookie = cookies(res).find((c) => c.startsWith('kipper_oidc='))!;
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/SameSite=Lax/);
    return { location: new URL(res.headers.get('location')!), stateCookie: stateCookie.split(';')[0]! };
  }

  async function callback(query: Record<string, string>, cookie?: string): Promise<{ status: number; location: string; sessionCookie: string | undefined }> {
    const res = await fetch(`${kipper.url}/api/v1/session/oidc/callback?${new URLSearchParams(query)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    return { status: res.status, location: res.headers.get('location') ?? '', sessionCookie: sessionCookieOf(res) };
  }

  it('sends the browser to the provider with PKCE (S256), a state and a nonce', async () => {
    const { location } = await start();
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get('client_id')).toBe(provider.clientId);
    expect(location.searchParams.get('redirect_uri')).toBe(`${kipper.url}/api/v1/session/oidc/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    // The provider knows the client and shows its login page.
    const page = await fetch(location, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/\/interaction\//);
  });

  it('refuses a callback whose state is not the one this browser started, without a session', async () => {
    const { stateCookie } = await start();
    const answer = await callback({ code: 'anything', state: 'someone-elses-state' }, stateCookie);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${kipper.url}/?sso_error=state`);
    expect(answer.sessionCookie).toBeUndefined();
  });

  it('refuses a callback with no sign-in started (or a changed state cookie)', async () => {
    const { location, stateCookie } = await start();
    const state = location.searchParams.get('state')!;
    expect((await callback({ code: 'x', state })).location).toBe(`${kipper.url}/?sso_error=expired`);
    const tampered = `${stateCookie.slice(0, -4)}AAAA`;
    expect((await callback({ code: 'x', state }, tampered)).location).toBe(`${kipper.url}/?sso_error=expired`);
  });

  it('says "denied" when the person refused consent at the provider', async () => {
    const { location, stateCookie } = await start();
    const answer = await callback({ error: 'access_denied', error_description: 'End-User aborted interaction', state: location.searchParams.get('state')! }, stateCookie);
    expect(answer.location).toBe(`${kipper.url}/?sso_error=denied`);
    expect(answer.sessionCookie).toBeUndefined();
  });

  it('says "token" when the provider does not accept the code (forged or used), and starts no session', async () => {
    const { location, stateCookie } = await start();
    const before = await services().dataSource.getRepository(User).count();
    const answer = await callback({ code: 'forged-code', state: location.searchParams.get('state')! }, stateCookie);
    expect(answer.location).toBe(`${kipper.url}/?sso_error=token`);
    expect(answer.sessionCookie).toBeUndefined();
    expect(await services().dataSource.getRepository(User).count()).toBe(before);
  });

  describe('people from the provider (SingleSignOnService on the real database)', () => {
    const issuer = () => provider.issuer;

    it('creates a person at the first sign-in, links the provider account, and finds them by it afterwards', async () => {
      const first = await services().singleSignOn.personFor(issuer(), { sub: 'sub-dora-1', email: 'Dora@Example.com', email_verified: true, preferred_username: 'dora', name: 'Dora Explorer' });
      expect(first).toMatchObject({ name: 'dora', displayName: 'Dora Explorer', email: 'dora@example.com', passwordHash: null, instanceAdmin: false });
      const again = await services().singleSignOn.personFor(issuer(), { sub: 'sub-dora-1', email: 'dora.new@example.com', email_verified: true });
      expect(again.id).toBe(first.id);
      expect(await services().dataSource.getRepository(OidcIdentity).countBy({ userId: first.id })).toBe(1);
    });

    it('matches an existing person by a verified email only, and never takes over a name', async () => {
      const existing = await services().singleSignOn.personFor(issuer(), { sub: 'sub-erin-1', email: 'erin@example.com', email_verified: true, preferred_username: 'erin' });
      // Another provider account with the same verified email is the same person.
      const sameEmail = await services().singleSignOn.personFor(issuer(), { sub: 'sub-erin-2', email: 'erin@example.com', email_verified: true, preferred_username: 'erin2' });
      expect(sameEmail.id).toBe(existing.id);
      // An unverified email does not match: a new person, whose name does not take erin's.
      const unverified = await services().singleSignOn.personFor(issuer(), { sub: 'sub-mallory', email: 'erin@example.com', email_verified: false, preferred_username: 'erin' });
      expect(unverified.id).not.toBe(existing.id);
      expect(unverified.name).toBe('erin-2');
      expect(unverified.email).toBeNull();
      // Nor does a provider's "carol" become the password person carol.
      const carol = await services().singleSignOn.personFor(issuer(), { sub: 'sub-other-carol', preferred_username: 'carol' });
      expect(carol.name).toBe('carol-2');
    });

    it('maps kipper:admin and kipper:PROJECT:ROLE values of the role claim, ignoring other groups', async () => {
      const project = (await services().projects.get('sso-shop'))!;
      const user = await services().singleSignOn.personFor(issuer(), { sub: 'sub-finn', preferred_username: 'finn', groups: ['engineering', 'kipper:sso-shop:deployer', 'kipper:no-such-project:admin'] });
      expect(user.instanceAdmin).toBe(false);
      expect((await services().dataSource.getRepository(ProjectMember).findOneByOrFail({ userId: user.id, projectId: project.id })).role).toBe('deployer');
      const promoted = await services().singleSignOn.personFor(issuer(), { sub: 'sub-finn', groups: ['kipper:admin'] });
      expect(promoted.instanceAdmin).toBe(true);
      const demoted = await services().singleSignOn.personFor(issuer(), { sub: 'sub-finn', groups: [] });
      expect(demoted.instanceAdmin).toBe(false);
    });

    it('refuses a disabled person', async () => {
      const user = await services().singleSignOn.personFor(issuer(), { sub: 'sub-gus', preferred_username: 'gus' });
      await services().users.disable(user.name, 'admin');
      await expect(services().singleSignOn.personFor(issuer(), { sub: 'sub-gus' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  it('reads role values from a list or a space/comma-separated string, the strongest role per project winning', () => {
    expect(claimedRoles('kipper:a:viewer kipper:a:admin,kipper:b:deployer')).toEqual({ instanceAdmin: false, projects: new Map([['a', 'admin'], ['b', 'deployer']]) });
    expect(claimedRoles(['kipper:admin', 'kipper:a:owner', 'kipper:a:b:viewer', 42])).toEqual({ instanceAdmin: true, projects: new Map() });
    expect(claimedRoles(undefined)).toEqual({ instanceAdmin: false, projects: new Map() });
  });
});
