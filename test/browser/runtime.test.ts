// Browser test of what runs (issue 15): the Overview shows the app's pods and cluster events, the
// Logs tab streams the pods' lines as the simulator's app pods write them. Debian's chromium
// driven by playwright-core against a running Kipper (no worker: the api creates the Deployment,
// the simulator runs its pods) and the built console. Run `npm run build` first.
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
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 375, height: 800 };
/** 40 characters: its pod names are 57. */
const APP = 'checkout-service-with-a-long-app-name-40';
/** 120 characters. */
const IMAGE = `registry.example.com/team/${'a-rather-long-service-name-'.repeat(3)}svc:0123456789abcdef0123456789abcdef`.slice(0, 120);

describe('console: pods, events and logs', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let page: Page;

  /** No sideways page scroll, and no element of the tab panel reaching out of it. */
  const holdsLayout = async (viewport: { width: number; height: number }) => {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    const overflowing = await page.evaluate(() => {
      const panel = document.querySelector('[role="tabpanel"]')!.getBoundingClientRect();
      return [...document.querySelectorAll('[role="tabpanel"] *')]
        .filter((el) => {
          const box = el.getBoundingClientRect();
          return box.width > 0 && (box.right > panel.right + 1 || box.left < panel.left - 1);
        })
        .map((el) => `${el.tagName}.${el.className}`);
    });
    expect(overflowing).toEqual([]);
  };

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    expect(IMAGE).toHaveLength(120);
    kipper = await startKipper({ serveConsole: true, simulator: { appLogIntervalMs: 400 } });
    await kipper.data('mutation { createProject(input: { name: "shop", environments: ["test"] }) { name } }');
    await kipper.data('mutation($i: DeployAppInput!) { deployApp(input: $i) { id } }', {
      i: { project: 'shop', environment: 'test', name: APP, image: IMAGE, port: 8080, replicas: 2 },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: WIDE })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await signInWithToken(page, kipper.url, kipper.adminToken);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
  });

  it('the Overview shows the pods with restarts and age, and the recent events', async () => {
    await page.evaluate((app) => void (location.hash = `#/apps/shop-test/${app}`), APP);
    const pods = page.getByTestId('pod');
    await expect.poll(async () => (await pods.filter({ hasText: 'ready' }).count()), { timeout: UI_TIMEOUT }).toBe(2);
    const first = await pods.first().textContent();
    expect(first).toContain(`${APP}-`);
    expect(first).toContain('0 restarts');
    expect(first).toMatch(/\d+s/);
    // Events arrive with the pods; the panel reads them again on the app's events or a reload.
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId('cluster-event').filter({ hasText: 'Started container' }).count();
      }, { timeout: UI_TIMEOUT })
      .toBeGreaterThan(0);
    await page.getByTestId('pod').first().waitFor();
    await holdsLayout(WIDE);
    await page.screenshot({ path: join(SHOTS, 'runtime-overview-1280.png'), fullPage: true });
    await holdsLayout(NARROW);
    await page.screenshot({ path: join(SHOTS, 'runtime-overview-375.png'), fullPage: true });
    await page.setViewportSize(WIDE);
  });

  it('the Logs tab streams lines of every pod, follows the end and pauses when scrolled up', async () => {
    await page.getByRole('tab', { name: 'Logs' }).click();
    const lines = page.getByTestId('log-line');
    await lines.filter({ hasText: `Starting ${IMAGE} on port 8080` }).first().waitFor();
    const count = await lines.count();
    // A line written after the page subscribed arrives by itself.
    await expect.poll(() => lines.count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(count);
    expect(await lines.last().textContent()).toMatch(/\(request \d+\)$/);
    expect(await page.getByTestId('follow-state').textContent()).toContain('Following');
    await holdsLayout(WIDE);
    await page.screenshot({ path: join(SHOTS, 'runtime-logs-1280.png'), fullPage: true });
    await holdsLayout(NARROW);
    await page.screenshot({ path: join(SHOTS, 'runtime-logs-375.png'), fullPage: true });
    await page.setViewportSize(WIDE);

    // Enough lines to scroll, then scrolled up: paused, with the new lines counted.
    await expect.poll(async () => page.getByTestId('log-lines').evaluate((box) => box.scrollHeight > box.clientHeight + 50), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('log-lines').evaluate((box) => box.scrollTo(0, 0));
    await expect.poll(() => page.getByTestId('follow-state').textContent(), { timeout: UI_TIMEOUT }).toMatch(/Paused: \d+ new line/);
    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await page.getByTestId('follow-state').textContent()).toContain('Following');
  }, 60_000);

  it('the pod picker shows one pod\'s lines', async () => {
    const names = await page.getByTestId('pod-picker').locator('option').allTextContents();
    const pod = names.find((n) => n !== 'All pods')!;
    await page.getByTestId('pod-picker').selectOption(pod);
    const lines = page.getByTestId('log-line');
    await lines.first().waitFor();
    expect(await lines.locator('.log-pod').count()).toBe(0);
    await expect.poll(() => lines.count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(2);
  });
});
