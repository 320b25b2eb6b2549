// Browser test of the console with a long deploy history (issue 13): an app with 1,000 revisions
// opens its Deploys tab about as fast as an app with 5, because the history is paged (the newest
// 30, then "Showing the newest 30 of 1000"). Debian's chromium driven by playwright-core against
// a running Kipper (no worker: nothing rolls out); the 1,000 revisions are written in one SQL
// statement for speed. Run `npm run build` first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../support/kipper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const CHROMIUM = '/usr/bin/chromium';
const UI_TIMEOUT = 15_000;
const REVISIONS = 1000;
/** Measurements of each app, alternated so that load on the machine falls on both alike. */
const ROUNDS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('console: a history of 1,000 revisions', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).`);
    kipper = await startKipper({ serveConsole: true });
    await kipper.data(`mutation { createProject(input: { name: "long", environments: ["test"] }) { name } }`);
    for (const name of ['big', 'small']) {
      await kipper.data(`mutation { deployApp(input: { project: "long", name: "${name}", image: "registry.example.com/${name}:v1", port: 8080 }) { id } }`);
    }
    for (let v = 2; v <= 5; v++) {
      await kipper.data(`mutation { updateImage(app: { project: "long", environment: "test", name: "small" }, image: "registry.example.com/small:v${v}") { number } }`);
    }
    // Revisions 2…1000 of `big`: copies of its first, each with its own image, superseded.
    const db = new pg.Client({ connectionString: kipper.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO revision (app_id, number, image, commit, trigger, triggered_by, status, created_at)
         SELECT r.app_id, n, 'registry.example.com/big:v' || n, md5(n::text), r.trigger, r.triggered_by, 'superseded', r.created_at + n * interval '1 minute'
         FROM revision r JOIN app a ON a.id = r.app_id, generate_series(2, $1::int) n
         WHERE a.name = 'big' AND r.number = 1`,
        [REVISIONS],
      );
      await db.query(`UPDATE app SET next_revision_number = $1 WHERE name = 'big'`, [REVISIONS + 1]);
    } finally {
      await db.end();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(kipper.url);
    await page.getByText('Use an API token instead').click();
    await page.getByLabel('API token').fill(kipper.adminToken);
    await page.getByRole('button', { name: 'Sign in with the token' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
  });

  /**
   * Opens the Deploys tab of an app from the projects page; answers the ms from the navigation
   * (a performance mark) to the frame in which the history table holds its newest revision.
   */
  async function openDeploys(app: string, newest: number): Promise<number> {
    await page.evaluate(() => void (location.hash = '#/projects'));
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    return page.evaluate(
      ({ app, newest }) =>
        new Promise<number>((resolve, reject) => {
          performance.mark(`open-${app}`);
          location.hash = `#/apps/long-test/${app}/deploys`;
          const deadline = performance.now() + 10_000;
          const check = () => {
            if (document.querySelector(`[data-testid="history"] [data-testid="revision-${newest}"]`)) {
              resolve(performance.measure(`deploys-${app}`, `open-${app}`).duration);
            } else if (performance.now() > deadline) reject(new Error(`revision ${newest} of ${app} never showed`));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
      { app, newest },
    );
  }

  it('opens the Deploys tab of an app with 1,000 revisions about as fast as one with 5, showing a page of them', async () => {
    // Warm-up: the app page's chunk and the first queries.
    await openDeploys('small', 5);
    await openDeploys('big', REVISIONS);
    const big: number[] = [];
    const small: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      small.push(await openDeploys('small', 5));
      big.push(await openDeploys('big', REVISIONS));
    }
    const [bigMs, smallMs] = [median(big), median(small)];
    console.log(`Deploys tab, median of ${ROUNDS}: 1,000 revisions ${bigMs.toFixed(0)} ms, 5 revisions ${smallMs.toFixed(0)} ms (${(bigMs / smallMs).toFixed(2)}×)`);

    // Paged: the newest 30 are in the page, newest first, and the rest are counted.
    const rows = page.getByTestId(/^revision-\d+$/);
    expect(await rows.count()).toBe(30);
    expect(await rows.first().getAttribute('data-testid')).toBe(`revision-${REVISIONS}`);
    expect(await rows.last().getAttribute('data-testid')).toBe(`revision-${REVISIONS - 29}`);
    await page.getByText(`Showing the newest 30 of ${REVISIONS} revisions.`).waitFor();
    // The 1,000-revision history costs no more than the 5-revision one beyond noise: a ratio (and
    // a fixed allowance for a loaded machine's jitter), not an absolute time.
    expect(bigMs).toBeLessThanOrEqual(smallMs * 2 + 50);
  }, 120_000);
});
