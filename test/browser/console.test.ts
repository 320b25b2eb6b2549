// Browser tests of the web console (issue 6): Debian's chromium driven by playwright-core
// against a running Kipper (api + a worker process on real PostgreSQL, Redis and the
// simulator) and the built console (console/dist), through a pass-through server that can cut
// the live connection (console-server.ts). Run `npm run build` first (the root `npm test`
// does). Screenshots of the main screens are kept in test-results/screenshots/ (gitignored).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Revision } from '@kipper/core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { deleteObject, deploymentImage, setDeploymentImage } from '../support/sim-objects.js';
import { startConsoleSite, type ConsoleSite } from './console-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_DIST = join(ROOT, 'console', 'dist');
const CONSOLE_INDEX = join(CONSOLE_DIST, 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

/** How long a rollout may take to turn live or failed in the UI. */
const ROLLOUT_TIMEOUT = 45_000;
/** How long a change made elsewhere may take to show up (subscription round trip). */
const UI_TIMEOUT = 15_000;

const IMAGE_1 = 'registry.example.com/api:ghi789b';
const IMAGE_2 = 'registry.example.com/api:def456a';
const IMAGE_FAIL = 'registry.example.com/api:sim-fail';
/** Delivered while the app is pinned: held, then deployed by Unpin. */
const IMAGE_3 = 'registry.example.com/api:jkl012c';
/** Goes live, then crash-loops (the simulator's sim-crash). */
const IMAGE_CRASH = 'registry.example.com/api:sim-crash';
/** What someone sets with `kubectl set image`, behind Kipper's back: long, so the flag must wrap. */
const HAND_SET_IMAGE = 'registry.example.com/api:changed-by-hand-with-kubectl-set-image-0123456789abcdef';
/** The rollout the Cancel button stops. */
const IMAGE_4 = 'registry.example.com/api:mno345d';
/** The widths the layout must hold at: a laptop and a phone. */
const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 390, height: 844 };

type Marked = Window & { kipperNoReload?: string };

describe('web console in chromium', () => {
  let kipper: RunningKipper | undefined;
  let site: ConsoleSite | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const project = `web-${Date.now().toString(36)}`;
  const namespace = `${project}-test`;
  let webhookUrl = '';
  let webhookToken = '';
  /** Uncaught exceptions in the page: always a console bug. */
  const pageErrors: string[] = [];
  /** The browser's console output, printed when a test fails. */
  const browserLog: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const rows = () => page.getByTestId(/^revision-\d+$/);
  const row = (number: number) => page.getByTestId(`revision-${number}`);
  const rowWithImage = (image: string) => rows().filter({ hasText: image });
  const postWebhook = (body: object, token = webhookToken) =>
    fetch(webhookUrl, {
      method: 'POST',
      headers: { 'X-Kipper-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Waits until the row of a revision shows `status` (a data-status attribute). */
  async function waitForStatus(number: number, status: string, timeout = ROLLOUT_TIMEOUT): Promise<void> {
    await page.locator(`[data-testid="revision-${number}"][data-status="${status}"]`).waitFor({ timeout });
  }

  /** The revision numbers in the history, newest first. */
  async function revisionNumbers(): Promise<number[]> {
    const ids = await rows().evaluateAll((elements) => elements.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((id) => Number(id.replace('revision-', '')));
  }

  async function markPage(): Promise<string> {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    await page.evaluate((value) => ((window as Marked).kipperNoReload = value), marker);
    return marker;
  }

  async function expectSamePage(marker: string): Promise<void> {
    expect(await page.evaluate(() => (window as Marked).kipperNoReload), 'the page was reloaded').toBe(marker);
  }

  async function text(locator: Locator): Promise<string> {
    return (await locator.textContent()) ?? '';
  }

  /** The in-process api's services: the database and lifecycle, for states no button makes. */
  const services = () => kipper!.kipper.services;
  const appEntity = () => services().dataSource.getRepository(App).findOneByOrFail({ namespace, name: 'api' });

  /** Opens a tab of the app page from wherever the page is (a hash change, not a reload). */
  async function openApp(tab: 'Overview' | 'Deploys' | 'Webhook' | 'Settings'): Promise<void> {
    if (!page.url().includes(`#/apps/${namespace}/api`)) {
      await page.evaluate((hash) => void (location.hash = hash), `#/apps/${namespace}/api`);
    }
    await page.getByRole('tab', { name: tab }).click();
    await page.locator(`[role="tabpanel"]#panel-${tab.toLowerCase()}`).waitFor();
    if (tab === 'Deploys') await page.getByTestId('history').waitFor();
  }

  /**
   * Nothing is wider than the screen: the page does not scroll sideways, and no element of the
   * main content reaches past the right edge (clipped text, a button off screen).
   */
  async function expectFits(width: number): Promise<void> {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const outside = await page.evaluate((w) => {
      const offenders: string[] = [];
      for (const element of document.querySelectorAll<HTMLElement>('main *')) {
        if (element.closest('.sr-only, thead, dialog:not([open])')) continue;
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > w + 0.5) offenders.push(`${element.tagName.toLowerCase()}.${element.className}: ${(element.textContent ?? '').slice(0, 40)}`);
        // Text cut on purpose with an ellipsis (a long image cut in the middle) has its full value on hover.
        const style = getComputedStyle(element);
        if (element.scrollWidth > element.clientWidth + 1 && style.overflowX === 'hidden' && style.textOverflow !== 'ellipsis') {
          offenders.push(`clipped ${element.tagName.toLowerCase()}.${element.className}`);
        }
      }
      return offenders;
    }, width);
    expect(outside, 'elements past the right edge or clipped').toEqual([]);
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) {
      throw new Error(
        `${CONSOLE_INDEX} is missing: the browser test drives the built console. Run \`npm run build\` ` +
          '(or `npm run build -w @kipper/console`) first; the root `npm test` does this for you.',
      );
    }
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).`);
    mkdirSync(SHOTS, { recursive: true });
    kipper = await startKipper({
      worker: true,
      // A rollout takes a few visible steps; a broken image fails after 1 s without progress.
      rolloutStepMs: 400,
      // The reconciler's full pass (which checks webhook Secrets) comes every second here.
      env: { KIPPER_PROGRESS_DEADLINE_SECONDS: '1', KIPPER_RECONCILE_SECONDS: '1' },
      simulator: { crashAfterMs: 1500 },
      serveConsole: true,
    });
    site = await startConsoleSite(kipper.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => browserLog.push(`[${message.type()}] ${message.text()}`));
  }, 90_000);

  // A failed step leaves a screenshot of what the page showed, and the browser's console.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !browser) return;
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await shot(`failed-${name}`).catch(() => undefined);
    if (browserLog.length) console.error(`browser console:\n${browserLog.join('\n')}`);
    if (kipper?.logs.length) console.error(`api log (last 40 lines):\n${kipper.logs.slice(-40).join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await site?.close();
    await kipper?.stop();
  });

  it('refuses a wrong token with a message, then signs in with the admin token', async () => {
    await page.goto(site!.url);
    // Name and password come first; the token is the second option.
    await page.getByText('Use an API token instead').click();
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await expect.poll(() => text(page.getByRole('alert')), { timeout: UI_TIMEOUT }).toContain('This token was refused');
    await shot('01-sign-in-refused');

    await page.getByLabel('API token').fill(kipper!.adminToken);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    // Kept for the browser session only.
    expect(await page.evaluate(() => sessionStorage.getItem('kipper.token'))).toBe(kipper!.adminToken);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('creates a project and deploys an image app into its first environment', async () => {
    await page.getByLabel('Name', { exact: true }).fill(project);
    await page.getByLabel('Display name').fill('Web test');
    await page.getByRole('textbox', { name: 'Environments' }).fill('test, acc, prod');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Web test', level: 1 }).waitFor();
    for (const env of ['test', 'acc', 'prod']) await page.getByTestId(`environment-${env}`).waitFor();
    await shot('02-project-empty');

    await page.getByRole('button', { name: 'Deploy app' }).click();
    await page.getByLabel('Environment', { exact: true }).selectOption('test');
    await page.getByLabel('App name').fill('api');
    await page.getByRole('textbox', { name: 'Image', exact: true }).fill(IMAGE_1);
    await page.getByLabel('Port').fill('8080');
    await page.getByLabel('Replicas').fill('3');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();

    await page.waitForURL(`**/#/apps/${namespace}/api/deploys`);
    await row(1).getByTestId('current').waitFor({ timeout: ROLLOUT_TIMEOUT });
    expect(await row(1).getAttribute('data-status')).toBe('LIVE');
    expect(await text(row(1))).toContain(IMAGE_1);

    // The pipeline shows the app live in its environment.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: project }).click();
    const card = page.getByTestId('environment-test').getByTestId('app-card-api');
    await card.getByTestId('status').and(page.locator('[data-status="LIVE"]')).waitFor();
    expect(await text(card)).toContain(IMAGE_1);
    await shot('03-project-pipeline');
  }, 90_000);

  it('enables the webhook and shows a URL and token that work', async () => {
    await page.getByTestId('environment-test').getByRole('link', { name: 'api' }).click();
    await page.getByRole('tab', { name: 'Webhook' }).click();
    await page.getByRole('button', { name: 'Enable webhook' }).click();
    const urlField = page.getByTestId('webhook-url');
    await expect.poll(() => urlField.inputValue(), { timeout: UI_TIMEOUT }).toMatch(new RegExp(`/api/v1/webhook/${namespace}/api$`));
    webhookUrl = await urlField.inputValue();
    expect(webhookUrl.startsWith(`${kipper!.url}/`)).toBe(true);
    // Hidden until asked.
    expect(await page.getByTestId('webhook-token').inputValue()).not.toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Show token' }).click();
    await expect.poll(() => page.getByTestId('webhook-token').inputValue(), { timeout: UI_TIMEOUT }).toMatch(/^[0-9a-f]{64}$/);
    webhookToken = await page.getByTestId('webhook-token').inputValue();
    expect(await text(page.getByTestId('snippet-gitlab'))).toContain('X-Kipper-Token');
    expect(await text(page.getByTestId('snippet-gitlab'))).toContain(webhookUrl);
    expect(await text(page.getByTestId('snippet-github'))).toContain('KIPPER_WEBHOOK_TOKEN');
    expect(await text(page.getByTestId('snippet-github'))).toContain('--fail-with-body');
    expect(await text(page.getByTestId('snippet-github'))).not.toContain('KIPPER_WAIT_SECONDS');
    // The waiting variants: the job also follows the rollout.
    await page.getByTestId('snippet-wait').check();
    await expect.poll(() => text(page.getByTestId('snippet-github')), { timeout: UI_TIMEOUT }).toContain('KIPPER_WAIT_SECONDS');
    expect(await text(page.getByTestId('snippet-gitlab'))).toContain('status_url=$(field statusUrl "$answer")');
    await page.getByTestId('snippet-wait').uncheck();
    await page.getByRole('button', { name: 'Hide token' }).click();
    await shot('04-webhook-enabled');

    // A wrong token is refused; the one from the screen deploys (next test, with the Deploys tab open).
    const refused = await postWebhook({ image: IMAGE_2 }, '0'.repeat(64));
    expect(refused.status).toBe(401);
  });

  it('shows a webhook deploy appear and go live without a reload', async () => {
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    const marker = await markPage();
    const before = await revisionNumbers();
    expect(before).toEqual([1]);

    const response = await postWebhook({ image: IMAGE_2, commit: 'def456a' });
    expect(response.status, await response.clone().text()).toBe(202);

    const deployed = rowWithImage(IMAGE_2);
    await deployed.waitFor({ timeout: UI_TIMEOUT });
    expect(await deployed.getAttribute('data-testid')).toBe('revision-2');
    expect(await text(deployed)).toContain('webhook');
    // The rollout takes a few simulator steps: long enough to see its progress (the screenshot
    // is skipped if the rollout was over before the first progress report).
    const progressBar = row(2).locator('progress[value]');
    await progressBar.waitFor({ timeout: 5_000 }).catch(() => undefined);
    if (await progressBar.count()) await shot('05-deploys-rolling-out');
    await waitForStatus(2, 'LIVE');
    await row(2).getByTestId('current').waitFor();
    // The earlier revision is no longer current and offers a rollback.
    await expect.poll(() => row(1).getByTestId('current').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await row(1).getByRole('button', { name: /Rollback/ }).waitFor();
    expect(await text(row(1).getByTestId('status'))).toBe('was live');
    expect(await text(row(2).getByTestId('status'))).toBe('live');
    await expectSamePage(marker);
    expect(await page.getByTestId('reconnecting').count()).toBe(0);
    await shot('06-deploys-webhook-live');
  }, 90_000);

  it('shows a failing rollout as failed, without a reload', async () => {
    const marker = await markPage();
    const response = await postWebhook({ image: IMAGE_FAIL, commit: 'bad0001' });
    expect(response.status, await response.clone().text()).toBe(202);
    const failing = rowWithImage(IMAGE_FAIL);
    await failing.waitFor({ timeout: UI_TIMEOUT });
    expect(await failing.getAttribute('data-testid')).toBe('revision-3');
    await waitForStatus(3, 'FAILED');
    expect(await text(row(3))).toMatch(/ProgressDeadlineExceeded|deadline|timed out/i);
    await expect.poll(() => row(3).getByTestId('current').count()).toBe(0);
    await shot('07-deploys-failed');
    // The app is configured to go back automatically: Kipper's own rollback revision goes live
    // with the last good image.
    await waitForStatus(4, 'LIVE');
    expect(await text(row(4))).toContain(IMAGE_2);
    expect(await text(row(4))).toContain('rollback to #2');
    await row(4).getByTestId('current').waitFor();
    // #2 has the image that runs now, so its Rollback is disabled and says why; #1's works.
    await expect.poll(() => row(2).getByRole('button', { name: /Rollback/ }).isDisabled()).toBe(true);
    expect(await row(2).getByRole('button', { name: /Rollback/ }).getAttribute('title')).toBe('It runs the same image and settings as the current revision.');
    expect(await row(1).getByRole('button', { name: /Rollback/ }).isEnabled()).toBe(true);
    await expectSamePage(marker);
    await shot('08-deploys-auto-rolled-back');
  }, 90_000);

  it('rolls back from the history after a confirmation naming the image', async () => {
    const marker = await markPage();
    const before = await revisionNumbers();
    const newest = Math.max(...before);
    await row(1).getByRole('button', { name: /Rollback/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await text(dialog.getByTestId('rollback-image'))).toContain(IMAGE_1);
    expect(await text(dialog)).toContain('#1');
    // A rollback pins the app unless told otherwise.
    expect(await dialog.getByRole('checkbox', { name: /Pin api to it/ }).isChecked()).toBe(true);
    // The safe choice has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
    await shot('09-rollback-confirm');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const rollback = row(newest + 1);
    await rollback.waitFor({ timeout: UI_TIMEOUT });
    expect(await text(rollback)).toContain(IMAGE_1);
    expect(await text(rollback)).toContain('rollback to #1');
    await waitForStatus(newest + 1, 'LIVE');
    await rollback.getByTestId('current').waitFor();
    expect((await revisionNumbers())[0]).toBe(newest + 1);
    await expect.poll(() => text(page.getByTestId('notice'))).toContain(`revision #${newest + 1} is live`);
    // Pinned to the rollback: the app page says so, and the history marks it.
    const banner = page.getByTestId('pin-banner');
    await banner.waitFor();
    expect(await text(banner)).toMatch(new RegExp(`Pinned to #${newest + 1}\\s+by admin at .* webhooks are held`));
    await rollback.getByTestId('pinned').waitFor();
    expect(await page.getByTestId('pinned').count()).toBe(1);
    await expectSamePage(marker);
    await shot('10-deploys-rolled-back');
  }, 90_000);

  it('lists the webhook deliveries, and keeps screenshots of the overview and a narrow screen', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    const overview = page.getByTestId('overview');
    await overview.waitFor();
    await expect.poll(() => text(overview)).toContain(IMAGE_1);
    await shot('11-overview');

    await page.getByRole('tab', { name: 'Webhook' }).click();
    const deliveries = page.getByTestId('deliveries');
    await deliveries.waitFor();
    // The two accepted POSTs, newest first, with their revisions (refusals are not recorded).
    const deliveryRows = deliveries.locator('tbody tr');
    await expect.poll(() => deliveryRows.count(), { timeout: UI_TIMEOUT }).toBe(2);
    expect(await text(deliveryRows.nth(0))).toMatch(/accepted.*202.*#3/);
    expect(await text(deliveryRows.nth(1))).toMatch(/accepted.*202.*#2/);
    await shot('12-webhook-deliveries');

    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    await shot('13-deploys-narrow');
    // Nothing wider than the screen: the page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: project }).click();
    await page.getByTestId('environment-test').waitFor();
    await shot('14-project-narrow');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  it('holds a webhook deploy while pinned, and Unpin deploys it', async () => {
    await openApp('Deploys');
    await page.getByTestId('pin-banner').waitFor();
    const marker = await markPage();
    const pinned = (await revisionNumbers())[0]!;
    const response = await postWebhook({ image: IMAGE_3, commit: 'jkl012c' });
    expect(response.status, await response.clone().text()).toBeLessThan(300);

    // Recorded, not deployed: held, with why.
    const held = pinned + 1;
    await waitForStatus(held, 'HELD', UI_TIMEOUT);
    expect(await text(row(held).getByTestId('status'))).toBe('held');
    expect(await text(row(held).getByTestId('reason'))).toContain(`pinned to revision #${pinned}`);
    expect(await row(pinned).getByTestId('current').count()).toBe(1);
    await expect.poll(() => text(page.getByTestId('pin-banner'))).toContain(`Unpin deploys revision #${held}`);
    await shot('16-deploys-held');

    await page.getByTestId('pin-banner').getByRole('button', { name: 'Unpin' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await text(dialog)).toContain(IMAGE_3);
    await dialog.getByRole('button', { name: `Unpin and deploy #${held}` }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('pin-banner').waitFor({ state: 'detached' });
    expect(await text(page.getByTestId('conditions-notice'))).toMatch(new RegExp(`^Unpinned api: (deploying revision #${held}…|revision #${held} is live\\.)$`));
    await waitForStatus(held, 'LIVE');
    await expect.poll(() => text(page.getByTestId('conditions-notice'))).toBe(`Unpinned api: revision #${held} is live.`);
    await row(held).getByTestId('current').waitFor();
    expect(await page.getByTestId('pinned').count()).toBe(0);
    await expectSamePage(marker);
    await shot('17-deploys-unpinned');
  }, 90_000);

  it('shows a lost live connection, recovers by itself and catches up', async () => {
    // The pin of the rollback from the history went with Unpin in the test before.
    // On the pipeline: it follows the project's events.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: project }).click();
    await page.getByTestId('environment-test').getByTestId('app-card-api').waitFor();
    const marker = await markPage();
    const cut = site!.interrupt();
    await page.getByTestId('reconnecting').waitFor();
    await shot('15-reconnecting');
    // A deploy while the console is cut off: it learns about it only by refetching.
    const response = await postWebhook({ image: IMAGE_2, commit: 'def456a' });
    expect(response.status, await response.clone().text()).toBe(202);
    const { revision } = (await response.json()) as { revision: { number: number } };
    cut.resume();
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: ROLLOUT_TIMEOUT });
    const card = page.getByTestId('environment-test').getByTestId('app-card-api');
    await expect.poll(() => text(card), { timeout: ROLLOUT_TIMEOUT }).toContain(`#${revision.number}`);
    await card.getByTestId('status').and(page.locator('[data-status="LIVE"]')).waitFor({ timeout: ROLLOUT_TIMEOUT });
    expect(await text(card)).toContain(IMAGE_2);
    await expectSamePage(marker);
  }, 90_000);

  it('cancels a rollout in flight and says what it did', async () => {
    // The worker is stopped so that the rollout stays where the test puts it.
    const worker = kipper!.workers!.handles[0]!;
    await worker.stop();
    try {
      await openApp('Deploys');
      const marker = await markPage();
      const current = (await appEntity()).currentRevisionId;
      const live = await services().dataSource.getRepository(Revision).findOneByOrFail({ id: current! });
      const response = await postWebhook({ image: IMAGE_4, commit: 'mno345d' });
      expect(response.status, await response.clone().text()).toBe(202);
      const { revision: accepted } = (await response.json()) as { revision: { number: number } };
      const number = accepted.number;
      await waitForStatus(number, 'QUEUED', UI_TIMEOUT);
      await page.getByRole('button', { name: 'Cancel deploy' }).waitFor();

      // Rolling out: one new pod up but not ready, the three old ones still serving.
      const app = await appEntity();
      const revision = await services().dataSource.getRepository(Revision).findOneByOrFail({ appId: app.id, number });
      await services().revisionLifecycle.startRollout(app, revision);
      await services().revisionLifecycle.saveProgress(app, revision, { updated: 1, ready: 0, available: 0, desired: 3, old: 3 });
      await waitForStatus(number, 'ROLLING_OUT', UI_TIMEOUT);
      await expect.poll(() => text(row(number).getByTestId('progress'))).toContain('1/3 updated, 0 ready, 3 old pods serving');
      await shot('18-deploys-rolling-out-cancel');

      await page.getByRole('button', { name: 'Cancel rollout' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await text(dialog)).toContain(`revision #${number} (rolling out)`);
      expect(await text(dialog)).toContain(live.image!);
      // The safe choice has the focus, and does not read "Cancel".
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Keep going');
      await shot('19-cancel-confirm');
      await dialog.getByRole('button', { name: 'Cancel it' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const rollback = number + 1;
      await expect.poll(() => text(page.getByTestId('notice'))).toBe(`Cancelled #${number}, rolling back to #${live.number} as #${rollback}.`);
      await waitForStatus(number, 'CANCELLED', UI_TIMEOUT);
      expect(await text(row(number).getByTestId('status'))).toBe('cancelled');
      expect(await text(row(number).getByTestId('reason'))).toBe('cancelled by admin');
      await row(rollback).waitFor();
      expect(await text(row(rollback))).toContain(`rollback to #${live.number}`);
      // The rollback it started can be cancelled in turn: from the banner, or on its own row.
      expect(await page.getByTestId('inflight').getByRole('button', { name: /^Cancel/ }).count()).toBe(1);
      expect(await row(number).getByTestId('cancel').count()).toBe(0);
      await shot('20-deploys-cancelled');

      // The worker comes back and deploys the rollback.
      await worker.restart();
      await waitForStatus(rollback, 'LIVE');
      await expect.poll(() => text(page.getByTestId('notice'))).toContain(`rolled back to #${live.number} as #${rollback}: it is live`);
      expect(await page.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
      await expectSamePage(marker);
    } finally {
      if (worker.exited) await worker.restart();
    }
  }, 120_000);

  it('shows the health the worker observed, live, on the app page and in the project', async () => {
    await openApp('Overview');
    const marker = await markPage();
    // An image that rolls out, then crash-loops: the worker sees it in the pods.
    expect((await postWebhook({ image: IMAGE_CRASH })).status).toBe(202);
    const badge = page.locator('main > .page-head').getByTestId('health');
    await expect.poll(() => text(badge), { timeout: ROLLOUT_TIMEOUT }).toContain('Degraded: CrashLoopBackOff');
    expect(await badge.getAttribute('title')).toMatch(/crash-looping/);
    expect(await text(page.getByTestId('health-detail'))).toMatch(/crash-looping/);
    await shot('21-health-degraded');

    // Switching tabs keeps the app's store: no new read of the app, no new subscription.
    const operations: string[] = [];
    const onRequest = (request: { url(): string; postData(): string | null }) => {
      if (request.url().endsWith('/graphql')) operations.push((JSON.parse(request.postData() ?? '{}') as { operationName?: string }).operationName ?? '');
    };
    page.on('request', onRequest);
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByTestId('overview').waitFor();
    page.off('request', onRequest);
    expect(operations).not.toContain('App');
    expect(await text(badge)).toContain('Degraded: CrashLoopBackOff');

    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: project }).click();
    const card = page.getByTestId('environment-test').getByTestId('app-card-api');
    await expect.poll(() => text(card.getByTestId('health'))).toContain('Degraded: CrashLoopBackOff');
    await shot('22-project-health');
    // Live on the project page too: a good image again makes it healthy.
    expect((await postWebhook({ image: IMAGE_2 })).status).toBe(202);
    await expect.poll(() => text(card.getByTestId('health')), { timeout: ROLLOUT_TIMEOUT }).toContain('Healthy');
    await expectSamePage(marker);
  }, 90_000);

  it('sets the drift policy to report, flags drift and a missing webhook Secret, and issues a new token', async () => {
    await openApp('Settings');
    const settings = page.getByTestId('settings');
    await settings.waitFor();
    expect(await settings.getByRole('radio', { name: /Repair/ }).isChecked()).toBe(true);
    await settings.getByRole('radio', { name: /Report/ }).check();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => text(page.getByTestId('settings-notice'))).toContain('Settings saved');
    expect((await appEntity()).driftPolicy).toBe('report');

    // Changed behind Kipper's back, as with kubectl: the reconciler reports it and repairs nothing.
    await setDeploymentImage(kipper!.sim.url, namespace, 'api', HAND_SET_IMAGE);
    await deleteObject(kipper!.sim.url, `/api/v1/namespaces/${namespace}/secrets/api-webhook`);
    const drift = page.getByTestId('drift-flag');
    await drift.waitFor({ timeout: ROLLOUT_TIMEOUT });
    expect(await text(drift)).toContain(HAND_SET_IMAGE);
    expect(await text(drift)).toContain('drift policy is report');
    expect(await deploymentImage(kipper!.sim.url, namespace, 'api')).toBe(HAND_SET_IMAGE);
    const secret = page.getByTestId('secret-flag');
    await secret.waitFor({ timeout: ROLLOUT_TIMEOUT });
    expect(await text(secret)).toContain('kip app webhook enable api');
    await shot('23-flags-wide');
    await expectFits(WIDE.width);

    await page.setViewportSize(NARROW);
    await shot('24-flags-narrow');
    await expectFits(NARROW.width);
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    await shot('25-deploys-narrow');
    await expectFits(NARROW.width);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: project }).click();
    await page.getByTestId('environment-test').getByTestId('app-card-api').waitFor();
    await shot('26-project-narrow');
    await expectFits(NARROW.width);
    await page.getByTestId('environment-test').getByRole('link', { name: 'api' }).click();
    await page.setViewportSize(WIDE);

    // The fix from the flag: a new token, shown on the Webhook tab; the flag goes.
    await secret.getByRole('button', { name: 'Issue a new token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Issue a new token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForURL(`**/#/apps/${namespace}/api/webhook`);
    await secret.waitFor({ state: 'detached' });
    await expect.poll(() => text(page.getByTestId('notice'))).toContain('A new token was issued');
    expect(await page.locator('details.snippets').getAttribute('open')).not.toBeNull();
    await page.getByRole('button', { name: 'Show token' }).click();
    await expect.poll(() => page.getByTestId('webhook-token').inputValue()).toMatch(/^[0-9a-f]{64}$/);
    const fresh = await page.getByTestId('webhook-token').inputValue();
    expect(fresh).not.toBe(webhookToken);
    expect((await postWebhook({ image: IMAGE_2 }, webhookToken)).status).toBe(401);
    webhookToken = fresh;
    await page.getByRole('button', { name: 'Hide token' }).click();
    await shot('27-webhook-new-token');
  }, 90_000);

  it('signs out and forgets the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('kipper.token'))).toBeNull();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });
});
