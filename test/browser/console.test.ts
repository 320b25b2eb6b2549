// Browser tests of the web console (issue 6): Debian's chromium driven by playwright-core
// against a running Kipper (api + worker on real PostgreSQL, Redis and the simulator) that
// serves the built console (`npm run build -w @kipper/console` first). Screenshots of the
// main screens are kept in test-results/screenshots/.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface RunningKipper {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}
type StartKipper = (options?: { worker?: boolean }) => Promise<RunningKipper>;

// Loaded at run time so that this file type-checks before test/support/kipper.ts exists.
const supportModule = '../support/kipper.js';
const shots = new URL('../../test-results/screenshots/', import.meta.url).pathname;
const LIVE_TIMEOUT = 60_000;

const IMAGE_1 = 'registry.example.com/api:ghi789b';
const IMAGE_2 = 'registry.example.com/api:def456a';
const IMAGE_FAIL = 'registry.example.com/api:sim-fail';

// SKIPPED: test/support/kipper.ts (startKipper, owned by the api engineer) does not exist yet,
// so there is no running Kipper to drive. Developed against a stand-in of the api; remove
// `.skip` once startKipper serves the built console.
describe.skip('web console in chromium (skipped: waits for test/support/kipper.ts)', () => {
  let kipper: RunningKipper;
  let browser: Browser;
  let page: Page;
  const project = `web-${Date.now().toString(36)}`;
  const namespace = `${project}-test`;
  let webhookUrl = '';
  let webhookToken = '';

  const shot = (name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
  const row = (image: string) => page.getByTestId(/^revision-\d+$/).filter({ hasText: image });
  const postWebhook = (body: object, token = webhookToken) =>
    fetch(webhookUrl, {
      method: 'POST',
      headers: { 'X-Kipper-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const { startKipper } = (await import(supportModule)) as { startKipper: StartKipper };
    kipper = await startKipper({ worker: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await kipper?.stop();
  });

  it('refuses a wrong token with a message, then signs in', async () => {
    await page.goto(kipper.url);
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This token was refused');
    await shot('01-sign-in-refused');

    await page.getByLabel('API token').fill(kipper.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  });

  it('creates a project and deploys an image app into its first environment', async () => {
    await page.getByLabel('Name', { exact: true }).fill(project);
    await page.getByLabel('Display name').fill('Web test');
    await page.getByRole('textbox', { name: 'Environments' }).fill('test, acc, prod');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Web test', level: 1 }).waitFor();
    for (const env of ['test', 'acc', 'prod']) await page.getByTestId(`environment-${env}`).waitFor();
    await shot('02-project-pipeline');

    await page.getByRole('button', { name: 'Deploy app' }).click();
    await page.getByLabel('Environment', { exact: true }).selectOption('test');
    await page.getByLabel('App name').fill('api');
    await page.getByRole('textbox', { name: 'Image', exact: true }).fill(IMAGE_1);
    await page.getByLabel('Port').fill('8080');
    await page.getByLabel('Replicas').fill('2');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();

    await page.waitForURL(`**/#/apps/${namespace}/api/deploys`);
    await row(IMAGE_1).getByTestId('current').waitFor({ timeout: LIVE_TIMEOUT });
  }, 90_000);

  it('enables the webhook and shows a URL and token that work', async () => {
    await page.getByRole('tab', { name: 'Webhook' }).click();
    await page.getByRole('button', { name: 'Enable webhook' }).click();
    webhookUrl = await page.getByTestId('webhook-url').inputValue();
    expect(webhookUrl).toMatch(new RegExp(`/api/v1/webhook/${namespace}/api$`));
    // Hidden until asked.
    expect(await page.getByTestId('webhook-token').inputValue()).not.toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Show' }).click();
    webhookToken = await page.getByTestId('webhook-token').inputValue();
    expect(webhookToken).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByTestId('snippet-gitlab').textContent()).toContain('X-Kipper-Token');
    expect(await page.getByTestId('snippet-github').textContent()).toContain('KIPPER_WEBHOOK_TOKEN');
    await shot('03-webhook-enabled');

    // A wrong token changes nothing.
    const refused = await postWebhook({ image: IMAGE_2 }, '0'.repeat(64));
    expect(refused.status).toBe(401);
  });

  it('shows a webhook deploy appear and go live without a reload', async () => {
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    // Marker that a reload would wipe.
    await page.evaluate(() => ((window as unknown as { kipperNoReload: boolean }).kipperNoReload = true));

    const response = await postWebhook({ image: IMAGE_2, commit: 'def456a' });
    expect(response.status).toBe(202);

    await row(IMAGE_2).waitFor({ timeout: 15_000 });
    expect(await row(IMAGE_2).textContent()).toContain('webhook');
    await row(IMAGE_2).getByTestId('current').waitFor({ timeout: LIVE_TIMEOUT });
    expect(await row(IMAGE_2).getAttribute('data-status')).toBe('LIVE');
    expect(await page.evaluate(() => (window as unknown as { kipperNoReload?: boolean }).kipperNoReload)).toBe(true);
    await shot('04-deploys-webhook-live');
  }, 90_000);

  it('shows a failing rollout as failed', async () => {
    const response = await postWebhook({ image: IMAGE_FAIL, commit: 'bad0001' });
    expect(response.status).toBe(202);
    await page.locator('[data-testid^="revision-"][data-status="FAILED"]').filter({ hasText: IMAGE_FAIL }).waitFor({ timeout: LIVE_TIMEOUT });
    await row(IMAGE_2).getByTestId('current').waitFor();
    await shot('05-deploys-failed');
  }, 90_000);

  it('rolls back from the history after a confirmation naming the image', async () => {
    const before = await page.getByTestId(/^revision-\d+$/).count();
    await row(IMAGE_1).first().getByRole('button', { name: /Rollback/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('rollback-image').textContent()).toContain(IMAGE_1);
    // The safe choice has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await shot('06-rollback-confirm');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await expect.poll(() => page.getByTestId(/^revision-\d+$/).count(), { timeout: 15_000 }).toBeGreaterThan(before);
    const rollback = page.getByTestId(/^revision-\d+$/).filter({ hasText: 'rollback to' }).first();
    expect(await rollback.textContent()).toContain(IMAGE_1);
    await rollback.getByTestId('current').waitFor({ timeout: LIVE_TIMEOUT });
    await shot('07-deploys-rolled-back');
  }, 90_000);

  it('keeps screenshots of the overview, the deliveries and a narrow screen', async () => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByTestId('overview').waitFor();
    await shot('08-overview');
    await page.getByRole('tab', { name: 'Webhook' }).click();
    await page.getByTestId('deliveries').waitFor();
    await shot('09-webhook-deliveries');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    await shot('10-deploys-narrow');
  });
});
