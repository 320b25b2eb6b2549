// Browser test of promotion in the console (issues 15 and 17): the promote dialog shows the
// preview (image and digest before and after, approvals needed) and asks for the protected
// environment's name; the promotion waits for approval; a second person approves it on the
// project page and it rolls out. Debian's chromium against a running Kipper with a worker and
// the built console (run `npm run build` first). Screenshots go to test-results/screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProjectRole } from '@kipper/core';
import { launchChromium } from './browser.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const UI_TIMEOUT = 15_000;
const PASSWORD = 'a long enough password 42';

describe('console: promotion with a preview, a typed confirmation and approvals', () => {
  let kipper: RunningKipper;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  const services = () => kipper.kipper.services;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function revisionStatus(environment: string, app: string, number: number): Promise<string | undefined> {
    const rows = (await services().dataSource.query(`SELECT r.status FROM revision r JOIN app a ON a.id = r.app_id WHERE a.namespace = $1 AND a.name = $2 AND r.number = $3`, [`ship-${environment}`, app, number])) as { status: string }[];
    return rows[0]?.status;
  }

  async function newPage(width: number): Promise<void> {
    page = await (await browser!.newContext({ viewport: { width, height: 860 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(kipper.url);
  }

  async function signInAs(name: string): Promise<void> {
    if (await page.getByRole('button', { name: 'Sign out' }).count()) await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('whoami').waitFor();
  }

  /** No element wider than the page: nothing makes it scroll sideways. */
  async function scrollsSideways(): Promise<boolean> {
    return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    kipper = await startKipper({ worker: true, rolloutStepMs: 50, serveConsole: true });
    await kipper.graphql(`mutation { createProject(input: { name: "ship", environments: ["test", "prod"] }) { name } }`);
    const project = (await services().projects.get('ship'))!;
    const dev = await services().users.create({ name: 'dev', displayName: 'Dev Eloper', password: PASSWORD }, 'admin');
    await services().members.add(project, dev, ProjectRole.DEPLOYER, 'admin');
    const rita = await services().users.create({ name: 'rita', displayName: 'Rita Reviewer', password: PASSWORD }, 'admin');
    await services().members.add(project, rita, ProjectRole.ADMIN, 'admin');
    await kipper.graphql(`mutation { deployApp(input: { project: "ship", environment: "test", name: "api", image: "registry.example.com/ship-api:v2", port: 8080 }) { id } }`);
    await kipper.graphql(`mutation { deployApp(input: { project: "ship", environment: "prod", name: "api", image: "registry.example.com/ship-api:v1", port: 8080, replicas: 2 }) { id } }`);
    await kipper.graphql(`mutation { deployApp(input: { project: "ship", environment: "test", name: "web", image: "registry.example.com/ship-web:v1", port: 8080 }) { id } }`);
    const deadline = Date.now() + 30_000;
    const statuses = async () => [await revisionStatus('test', 'api', 1), await revisionStatus('prod', 'api', 1), await revisionStatus('test', 'web', 1)].join();
    while ((await statuses()) !== 'live,live,live') {
      if (Date.now() > deadline) throw new Error(`the first revisions did not go live: ${await statuses()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await kipper.graphql(`mutation { configureEnvironment(project: "ship", environment: "prod", input: { approvals: 1, protected: true }) { name } }`);
    browser = await launchChromium();
    await newPage(1280);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-promotion-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
    expect(pageErrors).toEqual([]);
  });

  it('shows the preview and asks for the protected environment\'s name; the promotion then awaits approval', async () => {
    await signInAs('dev');
    await page.evaluate(() => void (location.hash = '#/projects/ship'));
    await page.getByTestId('environment-test').getByTestId('promote-api').click();
    const dialog = page.getByTestId('promote-dialog');
    await dialog.getByTestId('promote-preview').waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe('Promote api from test to prod');
    expect(await dialog.getByTestId('preview-before').textContent()).toMatch(/registry\.example\.com\/ship-api:v1\s+sha256:[0-9a-f]{12}/);
    expect(await dialog.getByTestId('preview-after').textContent()).toMatch(/registry\.example\.com\/ship-api:v2\s+sha256:[0-9a-f]{12}\s+\(test #1\)/);
    expect(await dialog.getByTestId('preview-approvals').textContent()).toContain('1 needed from role:admin before it rolls out');
    expect(await dialog.getByTestId('preview-differences').textContent()).toContain('replicas: 1 in test, 2 in prod');
    const confirm = dialog.getByTestId('promote-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByTestId('confirm-environment').fill('prd');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByTestId('confirm-environment').fill('prod');
    await shot('promotion-dialog');
    await confirm.click();
    expect(await dialog.getByTestId('promote-outcome').textContent()).toContain('Revision #2 in prod is awaiting approval (0/1).');
    await shot('promotion-awaiting-approval');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await revisionStatus('prod', 'api', 2)).toBe('awaiting_approval');

    // The requester sees it waiting, and cannot decide it.
    const row = page.getByTestId('approval-api-2');
    await row.waitFor();
    expect(await row.getByTestId('approval-count').textContent()).toBe('awaiting approval (0/1)');
    expect(await row.getByTestId('approve').count()).toBe(0);
  });

  it('offers to create a missing target app with the same settings', async () => {
    await page.getByTestId('environment-test').getByTestId('promote-web').click();
    const dialog = page.getByTestId('promote-dialog');
    expect(await dialog.getByTestId('preview-blocked').textContent()).toContain('kip app deploy web --project ship --environment prod --image registry.example.com/ship-web:v1');
    await dialog.getByTestId('create-in-target').click();
    await expect.poll(() => dialog.getByTestId('preview-before').textContent(), { timeout: UI_TIMEOUT }).toMatch(/nothing running yet/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const created = (await services().dataSource.query(`SELECT port, replicas FROM app WHERE namespace = 'ship-prod' AND name = 'web'`)) as { port: number; replicas: number }[];
    expect(created).toEqual([{ port: 8080, replicas: 1 }]);
  });

  it('a second person approves on the project page and the promotion rolls out the digest test ran', async () => {
    await signInAs('rita');
    await page.evaluate(() => void (location.hash = '#/projects/ship'));
    const row = page.getByTestId('approval-api-2');
    await row.getByTestId('approval-comment').fill('checked in test');
    await shot('promotion-approvals');
    await row.getByTestId('approve').click();
    expect(await page.getByTestId('approvals-notice').textContent()).toBe('Approved api #2 (1/1): it rolls out now.');
    await expect.poll(() => revisionStatus('prod', 'api', 2), { timeout: 30_000 }).toBe('live');
    const [prod] = (await services().dataSource.query(
      `SELECT r.image, r.image_tag, r.digest, s.digest AS source_digest FROM revision r JOIN revision s ON s.id = r.promoted_from_revision_id JOIN app a ON a.id = r.app_id WHERE a.namespace = 'ship-prod' AND a.name = 'api' AND r.number = 2`,
    )) as { image: string; image_tag: string; digest: string; source_digest: string }[];
    expect(prod).toMatchObject({ image: `registry.example.com/ship-api@${prod!.source_digest}`, image_tag: 'registry.example.com/ship-api:v2', digest: prod!.source_digest });
  });

  it('keeps the dialog and the approvals inside a 375 px screen', async () => {
    await kipper.graphql(`mutation { updateImage(app: { project: "ship", environment: "prod", name: "api" }, image: "registry.example.com/ship-api-with-a-rather-long-repository-name-for-layout:v3") { number } }`);
    await newPage(375);
    await signInAs('dev');
    await page.evaluate(() => void (location.hash = '#/projects/ship'));
    await page.getByTestId('approval-api-3').waitFor();
    expect(await scrollsSideways()).toBe(false);
    await page.getByTestId('environment-test').getByTestId('promote-api').click();
    await page.getByTestId('promote-preview').waitFor();
    expect(await scrollsSideways()).toBe(false);
    const box = await page.getByTestId('promote-dialog').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    await shot('promotion-dialog-375');
    await page.getByTestId('promote-dialog').getByRole('button', { name: 'Cancel' }).click();
    await shot('promotion-project-375');
  });
});
