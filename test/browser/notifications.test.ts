// Browser test of the console's Notifications section: Debian's chromium driven by playwright-core
// against a running Kipper (api + a worker process) and the built console. A receiver on
// 127.0.0.1 (KIPPER_NOTIFY_ALLOW_PRIVATE) answers 200. Run `npm run build` first.
import { existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

describe('console: notifications on the project page', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let receiver: Server | undefined;
  let page: Page;
  let hookUrl = '';
  const bodies: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/kipper`;
    kipper = await startKipper({ worker: true, rolloutStepMs: 100, env: { KIPPER_NOTIFY_ALLOW_PRIVATE: 'true' }, serveConsole: true });
    await kipper.graphql(`mutation { createProject(input: { name: "bell", environments: ["test", "prod"] }) { name } }`);
    await kipper.graphql(`mutation { deployApp(input: { project: "bell", name: "api", image: "registry.example.com/api:v1", port: 8080 }) { id } }`);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await signInWithToken(page, kipper.url, kipper.adminToken);
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  it('adds a webhook channel, shows its signing secret once, then the deliveries of a deploy, and removes it', async () => {
    await page.evaluate(() => void (location.hash = '#/projects/bell'));
    const section = page.getByTestId('notifications');
    await section.getByText('No channels.').waitFor();
    await section.getByRole('button', { name: 'Add channel' }).click();
    await section.getByTestId('notify-url').fill(hookUrl);
    await section.getByRole('checkbox', { name: 'revision.queued' }).uncheck();
    await section.getByRole('button', { name: 'Add channel' }).click();
    await expect.poll(() => section.getByTestId('signing-secret').inputValue()).toMatch(/^[0-9a-f]{64}$/);
    expect(await section.getByTestId('notifications-notice').textContent()).toContain('it is not shown again');
    const channels = section.getByTestId('notification-channels');
    await channels.getByText('every app').waitFor();
    expect(await channels.textContent()).toContain('/hooks/kipper');
    expect(await channels.textContent()).not.toContain('revision.queued,');

    // A deploy: its revision.live delivery shows up without a reload.
    await kipper!.graphql(`mutation { updateImage(app: { project: "bell", environment: "test", name: "api" }, image: "registry.example.com/api:v2") { number } }`);
    const deliveries = section.getByTestId('notification-deliveries');
    await deliveries.getByText('revision.live').waitFor({ timeout: 30_000 });
    expect(await deliveries.textContent()).toContain('delivered 200');
    expect(await deliveries.textContent()).toContain('thanks');
    expect(bodies.some((b) => b.includes('"type":"revision.live"'))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'notifications-project.png'), fullPage: true });

    // Narrow screens: nothing wider than the page.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 860 });

    await section.getByRole('button', { name: 'Done' }).click();
    await channels.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove channel' }).click();
    await section.getByText('No channels.').waitFor();
    expect((await kipper!.graphql<{ notificationChannels: unknown[] }>(`query { notificationChannels(project: "bell") { id } }`)).data?.notificationChannels).toEqual([]);
  });
});
