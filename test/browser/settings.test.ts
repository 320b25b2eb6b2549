// Browser test of changing a running app from the console: the Settings tab (port, env with a
// secret, roll back of the change), Compare on the Deploys tab, and deleting an app and a project
// with the name typed. Debian's chromium driven by playwright-core against a running Kipper (api +
// a worker process, PostgreSQL, Redis, the simulator). Run `npm run build` first.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInWithToken } from './browser.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { readDeployment } from '../support/sim-objects.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const UI_TIMEOUT = 15_000;
const ROLLOUT_TIMEOUT = 30_000;

interface Container {
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
}

describe('console: app settings, env, compare and deletes', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const container = async (app = 'api') => (await readDeployment(kipper!.sim.url, 'tune-test', app))?.spec.template.spec.containers[0] as Container | undefined;
  const go = (hash: string) => page.evaluate((h) => void (location.hash = h), hash);

  /** Polls the api until revision `number` of `app` is live (also used before any test runs). */
  async function waitLive(app: string, number: number): Promise<void> {
    const end = Date.now() + ROLLOUT_TIMEOUT;
    for (;;) {
      const data = await kipper!.data<{ app: { revision: { status: string } | null } }>(
        'query($a: AppRef!, $n: Int!) { app(ref: $a) { revision(number: $n) { status } } }',
        { a: { namespace: 'tune-test', name: app }, n: number },
      );
      if (data.app.revision?.status === 'LIVE') return;
      if (Date.now() > end) throw new Error(`revision #${number} of ${app} is ${data.app.revision?.status ?? 'missing'}, not live`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    kipper = await startKipper({ worker: true, rolloutStepMs: 100, serveConsole: true });
    await kipper.data(`mutation { createProject(input: { name: "tune", environments: ["test", "prod"] }) { name } }`);
    await kipper.data(`mutation { createProject(input: { name: "bye" }) { name } }`);
    await kipper.data(`mutation { deployApp(input: { project: "tune", name: "api", image: "registry.example.com/api:v1", port: 8080 }) { id } }`);
    await kipper.data(`mutation { deployApp(input: { project: "tune", name: "gone", image: "registry.example.com/gone:v1", port: 8080 }) { id } }`);
    await waitLive('api', 1);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await signInWithToken(page, kipper.url, kipper.adminToken);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
  });

  it('a port change is validated as typed, becomes a new revision, and rolls back', async () => {
    await go('#/apps/tune-test/api/settings');
    const settings = page.getByTestId('settings');
    const port = settings.getByTestId('setting-port');
    await expect.poll(() => port.inputValue()).toBe('8080');
    await port.fill('70000');
    await settings.getByText('A port is a whole number from 1 to 65535.').waitFor();
    expect(await settings.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await settings.getByTestId('setting-host').fill('Not_A_Host');
    await settings.getByText('A host is a DNS name').waitFor();
    await settings.getByTestId('setting-host').fill('');
    await port.fill('9090');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const notice = page.getByTestId('settings-notice');
    await expect.poll(() => notice.textContent()).toContain('Settings saved: rolling out as revision #2.');
    await expect.poll(() => notice.textContent(), { timeout: ROLLOUT_TIMEOUT }).toContain('Now live.');
    expect((await container())?.ports?.[0]?.containerPort).toBe(9090);
    await shot('settings-port-saved');

    await page.getByTestId('settings-rollback').click();
    await expect.poll(() => notice.textContent()).toContain('Rolling back to revision #1 (its image and settings) as revision #3.');
    await waitLive('api', 3);
    await expect.poll(async () => (await container())?.ports?.[0]?.containerPort, { timeout: ROLLOUT_TIMEOUT }).toBe(8080);
    await expect.poll(() => port.inputValue()).toBe('8080');
  }, 90_000);

  it('env variables: a bad name is refused as typed; a plain and a secret one reach the pod spec; the secret never comes back', async () => {
    const editor = page.getByTestId('env-editor');
    await editor.getByText('No variables.').waitFor();
    await editor.getByTestId('env-add').click();
    await editor.getByTestId('env-name').nth(0).fill('1BAD');
    await editor.getByText('Letters, digits and _, not starting with a digit.').waitFor();
    expect(await editor.getByTestId('env-save').isDisabled()).toBe(true);
    await editor.getByTestId('env-name').nth(0).fill('LOG_LEVEL');
    await editor.getByTestId('env-value').nth(0).fill('debug');
    await editor.getByTestId('env-add').click();
    await editor.getByTestId('env-name').nth(1).fill('API_TOKEN');
    await editor.getByTestId('env-value').nth(1).fill('s3cret-from-the-browser');
    // Named like a credential: a secret, whatever the box says.
    expect(await editor.getByTestId('env-secret').nth(1).isChecked()).toBe(false);
    expect(await editor.getByTestId('env-secret').nth(1).isDisabled()).toBe(true);
    await editor.getByTestId('env-save').click();
    const notice = page.getByTestId('settings-notice');
    await expect.poll(() => notice.textContent()).toContain('Environment saved: rolling out as revision #4.');
    await waitLive('api', 4);
    await expect.poll(async () => (await container())?.env, { timeout: ROLLOUT_TIMEOUT }).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: expect.stringMatching(/^api-env-[0-9a-f]{10}$/), key: 'API_TOKEN' } } },
    ]);
    // The editor reloaded from the api: the secret's field is empty, its value nowhere on the page.
    await expect.poll(() => editor.getByTestId('env-value').nth(1).getAttribute('placeholder')).toBe('•••••••• (unchanged)');
    expect(await editor.getByTestId('env-value').nth(1).inputValue()).toBe('');
    expect(await page.content()).not.toContain('s3cret-from-the-browser');
    await shot('settings-env-saved');

    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot('settings-375');
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 90_000);

  it('compares two revisions from the Deploys tab', async () => {
    await page.getByRole('tab', { name: 'Deploys' }).click();
    await page.getByTestId('history').waitFor();
    await page.getByTestId('compare-open').click();
    const compare = page.getByTestId('compare');
    await compare.getByTestId('compare-table').waitFor();
    // By default: the previous live revision against the current one.
    expect(await compare.getByRole('columnheader').allTextContents()).toEqual(['', '#3', '#4']);
    await compare.getByTestId('compare-from').fill('2');
    await compare.getByTestId('compare-to').fill('4');
    await compare.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect.poll(() => compare.getByRole('columnheader').allTextContents()).toEqual(['', '#2', '#4']);
    const port = compare.getByRole('row', { name: /Port/ });
    expect((await port.allTextContents()).join(' ')).toMatch(/Port\s*9090\s*8080/);
    const env = await compare.getByTestId('compare-env').textContent();
    expect(env).toContain('+ LOG_LEVEL=debug');
    expect(env).toContain('+ API_TOKEN (secret)');
    expect(env).not.toContain('s3cret');
    await shot('deploys-compare');
  });

  it('deletes an app only once its name is typed', async () => {
    await go('#/apps/tune-test/gone/settings');
    await page.getByTestId('danger-zone').waitFor();
    await page.getByTestId('delete-app').click();
    const dialog = page.getByTestId('typed-confirm').filter({ visible: true });
    const confirm = dialog.getByTestId('typed-confirm-button');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByTestId('typed-name').fill('gon');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByTestId('typed-name').fill('gone');
    await shot('delete-app-typed');
    await confirm.click();
    await page.waitForURL(/#\/projects\/tune$/);
    expect(await readDeployment(kipper!.sim.url, 'tune-test', 'gone')).toBeNull();
    expect(await readDeployment(kipper!.sim.url, 'tune-test', 'api')).not.toBeNull();
  });

  it('deletes a project only once its name is typed', async () => {
    await go('#/projects/bye');
    await page.getByTestId('delete-project').click();
    const dialog = page.getByTestId('typed-confirm').filter({ visible: true });
    await dialog.getByText('bye-test, bye-acc, bye-prod').waitFor();
    expect(await dialog.getByTestId('typed-confirm-button').isDisabled()).toBe(true);
    await dialog.getByTestId('typed-name').fill('bye');
    await shot('delete-project-typed');
    await dialog.getByTestId('typed-confirm-button').click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    expect((await fetch(`${kipper!.sim.url}/api/v1/namespaces/bye-test`)).status).toBe(404);
    const projects = await kipper!.data<{ projects: { name: string }[] }>('{ projects { name } }');
    expect(projects.projects.map((p) => p.name)).toEqual(['tune']);
  });
});
