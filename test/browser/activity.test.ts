// Browser test of the console's Activity page (the audit log): Debian's chromium driven by
// playwright-core against a running Kipper (no worker: nothing needs to roll out) and the built
// console. A change made in the console shows up on the Activity page with what changed.
// Run `npm run build` first.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInWithToken } from './browser.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const UI_TIMEOUT = 15_000;
const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 375, height: 812 };
/** Long enough to need truncating in a narrow column. */
const LONG_IMAGE = 'registry.example.com/team/a-rather-long-service-name:0123456789abcdef0123456789abcdef';

describe('console: the Activity page', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let page: Page;

  const noHorizontalScroll = async (width: number) => {
    await page.setViewportSize(width === WIDE.width ? WIDE : NARROW);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  };

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    kipper = await startKipper({ serveConsole: true });
    await kipper.graphql(`mutation { createProject(input: { name: "ledger", environments: ["test", "prod"] }) { name } }`);
    await kipper.graphql(`mutation { createProject(input: { name: "other", environments: ["test"] }) { name } }`);
    await kipper.graphql(`mutation { deployApp(input: { project: "ledger", name: "api", image: "${LONG_IMAGE}", port: 8080 }) { id } }`);
    await kipper.graphql(`mutation { deployApp(input: { project: "other", name: "web", image: "registry.example.com/web:v1", port: 8080 }) { id } }`);
    for (let i = 2; i <= 60; i++) {
      await kipper.graphql(`mutation { updateImage(app: { project: "ledger", environment: "test", name: "api" }, image: "registry.example.com/api:v${i}") { number } }`);
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: WIDE })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await signInWithToken(page, kipper.url, kipper.adminToken);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
  });

  it('shows a change made in the console, newest first, filtered and paged, at 1280 and 375 px', async () => {
    // The change: automatic rollback off, in the app's settings.
    await page.evaluate(() => void (location.hash = '#/apps/ledger-test/api/settings'));
    const settings = page.getByTestId('settings');
    await settings.getByRole('checkbox').uncheck();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByTestId('settings-notice').waitFor();

    // From the project page to its activity.
    await page.evaluate(() => void (location.hash = '#/projects/ledger'));
    await page.getByTestId('project-activity').click();
    await page.getByRole('heading', { name: 'Activity of ledger', level: 1 }).waitFor();
    const entries = page.getByTestId('audit-entry');
    await entries.first().waitFor();
    const newest = entries.first();
    expect(await newest.textContent()).toContain('app.configure');
    expect(await newest.textContent()).toContain('autoRollback: true → false');
    expect(await newest.textContent()).toContain('admin');
    expect(await newest.textContent()).toContain('ledger-test/api');
    // Only this project's entries; a page of 50, then Load more.
    expect(await entries.count()).toBe(50);
    expect(await page.getByText('other-test/web').count()).toBe(0);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => entries.count()).toBe(63);
    expect(await entries.last().textContent()).toContain('project.create');
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'activity-project.png'), fullPage: false });

    // Filters: an action prefix, then an actor that did nothing here.
    await page.getByTestId('filter-action').fill('app.');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.allTextContents()).toEqual([expect.stringContaining('app.configure'), expect.stringContaining('app.create')]);
    // The long image is cut, its full text is on hover.
    const details = entries.nth(1).locator('.details');
    expect(await details.getAttribute('title')).toContain(LONG_IMAGE);
    await noHorizontalScroll(NARROW.width);
    await page.screenshot({ path: join(SHOTS, 'activity-project-375.png'), fullPage: true });
    await noHorizontalScroll(WIDE.width);
    await page.getByTestId('filter-actor').fill('kipper');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Nothing recorded that matches these filters.').waitFor();

    // The whole instance: both projects.
    await page.getByRole('link', { name: 'Activity', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Activity', level: 1, exact: true }).waitFor();
    // Every project's entries, newest first: the settings change, then the deploys of ledger.
    await expect.poll(() => entries.count()).toBe(50);
    expect(await entries.first().textContent()).toContain('app.configure');
    await page.getByTestId('filter-project').selectOption('other');
    await expect.poll(() => entries.count()).toBe(3);
    await noHorizontalScroll(NARROW.width);
    await noHorizontalScroll(WIDE.width);
    await page.screenshot({ path: join(SHOTS, 'activity-instance.png'), fullPage: true });
  });
});
