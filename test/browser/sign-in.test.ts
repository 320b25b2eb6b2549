// Console sign-in in chromium (issue 11): a person signs in with name and password, sees their
// projects, reloads and is still signed in, signs out; single sign-on goes through a real
// OpenID provider's own login and consent pages (oidc-provider on 127.0.0.1); cancelling there
// comes back with the reason. Screenshots at 1280×800 and 375×800 in test-results/screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProjectRole } from '@kipper/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { startOpenIdProvider, type LocalOpenIdProvider } from '../support/oidc-provider.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const UI_TIMEOUT = 15_000;
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 375, height: 800 };
const PASSWORD = 'a long enough password 42';

describe('console sign-in in chromium', () => {
  let provider: LocalOpenIdProvider;
  let kipper: RunningKipper;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const services = () => kipper.kipper.services;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';

  /** Nothing is wider than the screen: no sideways scrolling, nothing past the right edge. */
  async function expectFits(width: number): Promise<void> {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const outside = await page.evaluate((w) => {
      const offenders: string[] = [];
      for (const element of document.querySelectorAll<HTMLElement>('body *')) {
        if (element.closest('.sr-only, .skip, dialog:not([open])')) continue;
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > w + 0.5) offenders.push(`${element.tagName.toLowerCase()}.${element.className}: ${(element.textContent ?? '').slice(0, 40)}`);
      }
      return offenders;
    }, width);
    expect(outside, 'elements past the right edge').toEqual([]);
  }

  async function newPage(): Promise<void> {
    await context?.close();
    context = await browser.newContext({ viewport: WIDE });
    // The provider's development pages import a web font; there is no network here.
    await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build -w @kipper/console\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    provider = await startOpenIdProvider();
    kipper = await startKipper({
      serveConsole: true,
      env: {
        KIPPER_OIDC_ISSUER: provider.issuer,
        KIPPER_OIDC_CLIENT_ID: provider.clientId,
        KIPPER_OIDC_CLIENT_SECRET: provider.clientSecret,
        KIPPER_OIDC_NAME: 'Test IdP',
        KIPPER_OIDC_ROLE_CLAIM: 'groups',
      },
    });
    provider.register(`${kipper.url}/api/v1/session/oidc/callback`);
    await kipper.data(`mutation { createProject(input: { name: "pay", displayName: "Payments", environments: ["test", "prod"] }) { id } }`);
    await kipper.data(`mutation { createProject(input: { name: "secret-ops", environments: ["test"] }) { id } }`);
    const ana = await services().users.create({ name: 'ana', displayName: 'Ana Lima', password: PASSWORD }, 'admin');
    await services().members.add((await services().projects.get('pay'))!, ana, ProjectRole.VIEWER, 'admin');
    const bea = await services().users.create({ name: 'bea', displayName: 'Bea Admin', password: PASSWORD }, 'admin');
    await services().members.add((await services().projects.get('pay'))!, bea, ProjectRole.ADMIN, 'admin');
    const vic = await services().users.create({ name: 'vic', password: PASSWORD }, 'admin');
    await services().members.add((await services().projects.get('pay'))!, vic, ProjectRole.VIEWER, 'admin');
    await services().users.create({ name: 'carl', displayName: 'Carl Newcomer', password: PASSWORD }, 'admin');
    provider.people.set('olivia', { name: 'Olivia Sso', groups: ['staff', 'kipper:pay:deployer'] });
    browser = await launchChromium();
    await newPage();
  }, 90_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    await shot(`failed-sign-in-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(() => undefined);
    console.error(`api log (last 30 lines):\n${kipper.logs.slice(-30).join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
    await provider?.close();
    expect(pageErrors).toEqual([]);
  });

  it('refuses a wrong password with the same words as an unknown name, then signs in and sees their projects', async () => {
    await page.goto(kipper.url);
    await page.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor();
    await expect.poll(() => page.getByTestId('sso').textContent()).toBe('Sign in with Test IdP');
    await shot('sign-in-wide');
    await expectFits(WIDE.width);
    await page.setViewportSize(NARROW);
    await page.getByText('Use an API token instead').click();
    await shot('sign-in-narrow');
    await expectFits(NARROW.width);
    await page.setViewportSize(WIDE);

    await page.getByLabel('Name').fill('ana');
    await page.getByLabel('Password').fill('not her password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => text('[role="alert"]')).toContain('Wrong name or password.');
    await page.getByLabel('Name').fill('nobody');
    await page.getByLabel('Password').fill('whatever it is');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => text('[role="alert"]')).toContain('Wrong name or password.');

    await page.getByLabel('Name').fill('ana');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByTestId('whoami').textContent()).toBe('Signed in as Ana Lima');
    await page.getByRole('link', { name: /Payments/ }).waitFor();
    // A viewer of pay only: secret-ops is not listed, and she is not offered to create projects.
    expect(await page.getByText('secret-ops').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Create project' }).count()).toBe(0);
    // The session is an HttpOnly cookie: no script can read it, nothing kept in storage.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('kipper.token'))).toBeNull();
    await shot('signed-in-projects-wide');
    await expectFits(WIDE.width);
  });

  it('keeps the session across a reload, and live updates work over the cookie and CSRF token', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('whoami').textContent()).toBe('Signed in as Ana Lima');
    await page.getByRole('link', { name: /Payments/ }).click();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    // The project page subscribes to its events over graphql-ws with connectionParams.csrfToken.
    await page.waitForTimeout(1500);
    expect(await page.getByText('Live updates stopped').count()).toBe(0);
    expect(await page.getByText('Reconnecting').count()).toBe(0);
  });

  it('signs out: the session ends at the api and a reload shows the sign-in page', async () => {
    const sessions = await services().dataSource.query(`SELECT count(*)::int AS n FROM session s JOIN kipper_user u ON u.id = s.user_id WHERE u.name = 'ana'`);
    expect((sessions as { n: number }[])[0]!.n).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor();
    await expect.poll(async () => ((await services().dataSource.query(`SELECT count(*)::int AS n FROM session s JOIN kipper_user u ON u.id = s.user_id WHERE u.name = 'ana'`)) as { n: number }[])[0]!.n).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor();
  });

  it('goes back to sign-in with the reason when the session ends elsewhere', async () => {
    await page.getByLabel('Name').fill('ana');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('whoami').waitFor();
    // An instance admin disables her: her sessions end at once (her live connection is closed
    // within seconds, and any request is refused), whichever the console notices first.
    await services().users.disable('ana', 'admin');
    await page.evaluate(() => void (location.hash = '#/projects/pay'));
    await page.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor();
    await expect.poll(() => text('[role="alert"]')).toMatch(/sign in again/i);
  });

  it('comes back with the reason when consent is cancelled at the provider, with no session', async () => {
    await newPage();
    await page.goto(kipper.url);
    await page.getByTestId('sso').click();
    await page.locator('input[name="login"]').fill('olivia');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await page.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor();
    await expect.poll(() => text('[role="alert"]')).toContain('Single sign-on was cancelled at the identity provider.');
    // The reason is not kept in the address: a reload does not show it again.
    expect(new URL(page.url()).search).toBe('');
    expect(await services().users.byName('olivia')).toBeNull();
    await shot('sign-in-sso-cancelled-narrow').catch(() => undefined);
  });

  it('signs in through the provider’s login and consent pages; the role claim makes her a deployer of pay', async () => {
    await page.getByTestId('sso').click();
    // The provider remembers her login from the cancelled attempt: it asks for consent only.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByTestId('whoami').textContent()).toBe('Signed in as Olivia Sso');
    await page.getByRole('link', { name: /Payments/ }).waitFor();
    expect(await page.getByText('secret-ops').count()).toBe(0);
    const olivia = (await services().users.byName('olivia'))!;
    expect(olivia).toMatchObject({ email: 'olivia@example.com', passwordHash: null });
    expect(await services().members.roleOf(olivia.id, (await services().projects.get('pay'))!.id)).toBe('deployer');
    await page.setViewportSize(NARROW);
    await shot('signed-in-sso-narrow');
    await expectFits(NARROW.width);
    await page.setViewportSize(WIDE);
  });

  async function signInAs(name: string): Promise<void> {
    if (await page.getByRole('button', { name: 'Sign out' }).count()) await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('whoami').waitFor();
  }

  const memberRow = (name: string) => page.getByTestId(`member-${name}`);

  it('lets a project admin add a member with a role, change the role and remove them', async () => {
    await signInAs('bea');
    await page.evaluate(() => void (location.hash = '#/projects/pay'));
    const members = page.getByTestId('members');
    await memberRow('vic').waitFor();
    expect(await memberRow('olivia').textContent()).toContain('Deployer');

    await members.getByTestId('member-name').fill('nobody-here');
    await members.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => members.getByRole('alert').textContent()).toMatch(/nobody-here/);

    await members.getByTestId('member-name').fill('carl');
    await members.getByTestId('member-role').selectOption('DEPLOYER');
    await members.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => page.getByTestId('members-notice').textContent()).toBe('carl is now deployer of pay.');
    await memberRow('carl').waitFor();
    expect(await services().members.roleOf((await services().users.byName('carl'))!.id, (await services().projects.get('pay'))!.id)).toBe('deployer');

    await page.getByLabel('Role of carl').selectOption('ADMIN');
    await expect.poll(() => page.getByTestId('members-notice').textContent()).toBe('carl is now admin of pay.');
    expect(await services().members.roleOf((await services().users.byName('carl'))!.id, (await services().projects.get('pay'))!.id)).toBe('admin');
    await members.scrollIntoViewIfNeeded();
    await shot('members-admin-wide');
    await expectFits(WIDE.width);
    await page.setViewportSize(NARROW);
    await shot('members-admin-narrow');
    await expectFits(NARROW.width);
    await page.setViewportSize(WIDE);

    await page.getByRole('button', { name: 'Remove carl' }).click();
    await page.getByRole('button', { name: 'Remove member' }).click();
    await expect.poll(() => page.getByTestId('members-notice').textContent()).toBe('Removed carl from pay.');
    await expect.poll(() => memberRow('carl').count()).toBe(0);
    expect(await services().members.roleOf((await services().users.byName('carl'))!.id, (await services().projects.get('pay'))!.id)).toBeNull();
  });

  it('shows a viewer the members without controls, and the api refuses her a change anyway', async () => {
    await signInAs('vic');
    await page.evaluate(() => void (location.hash = '#/projects/pay'));
    await memberRow('bea').waitFor();
    await page.getByTestId('members-readonly').waitFor();
    const members = page.getByTestId('members');
    expect(await members.getByRole('button').count()).toBe(0);
    expect(await members.locator('select, input').count()).toBe(0);
    await page.setViewportSize(NARROW);
    await shot('members-viewer-narrow');
    await expectFits(NARROW.width);
    await page.setViewportSize(WIDE);

    // The same request the console would send, with her session cookie and CSRF token.
    const signIn = await fetch(`${kipper.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'vic', password: PASSWORD }) });
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await fetch(`${kipper.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-kipper-csrf': csrfToken },
      body: JSON.stringify({ query: 'mutation { addProjectMember(project: "pay", user: "vic", role: ADMIN) { role } }' }),
    });
    const body = (await res.json()) as { errors?: { extensions: { code: string } }[] };
    expect(body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(await services().members.roleOf((await services().users.byName('vic'))!.id, (await services().projects.get('pay'))!.id)).toBe('viewer');
  });
});
