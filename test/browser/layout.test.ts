// Browser test of the console's layout with real-world long values (issue 15): a 40-character app
// name, a 120-character image (a registry path and a full-SHA tag), revisions that are live,
// failed, rolled back, pinned and held. Every page and tab in PAGES is opened at 1280×800 and
// 375×800 and checked by script: the page does not scroll sideways, and no visible element reaches
// past its clipping or scrolling ancestor or the viewport. Screenshots of every page go to
// test-results/screenshots/layout-PAGE-WIDTH.png. Then the Deploys tab's controls are used:
// Cancel on the in-flight row, Rollback on a row, the disabled Rollback with its reason.
// Debian's chromium through playwright-core against a running Kipper (no worker: revisions are
// written in SQL so that nothing moves while the layout is measured). Run `npm run build` first.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, HealthStatus } from '@kipper/core';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { launchChromium, signInWithToken } from './browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSOLE_INDEX = join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const UI_TIMEOUT = 15_000;

const PROJECT = 'layout-shop';
/** 40 characters: the longest app names people give. */
const APP = 'checkout-payment-reconciliation-service1';
/** A git app (the Builds tab), also with a long name. */
const GIT_APP = 'storefront-rendering-edge-worker-build01';
const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
/** 120 characters: a GitHub Container Registry image with a full-SHA tag. */
const IMAGE = `ghcr.io/some-organisation/platform-team/checkout/payment-reconciliation-service:${SHA}`;
const image = (n: number) => `${IMAGE.slice(0, IMAGE.length - 2)}${String(n).padStart(2, '0')}`;
const WIDTHS = [1280, 375] as const;

/**
 * The pages and tabs whose layout is checked: add one line for a new page or tab. `hash` is the
 * console route; `ready` waits for what shows the page has its data.
 */
const PAGES: { name: string; hash: string; ready: (page: Page) => Promise<unknown>; signedOut?: boolean }[] = [
  { name: 'sign-in', hash: '', signedOut: true, ready: (p) => p.getByRole('heading', { name: 'Sign in to Kipper' }).waitFor() },
  { name: 'projects', hash: '#/projects', ready: (p) => p.getByText(PROJECT).first().waitFor() },
  { name: 'project', hash: `#/projects/${PROJECT}`, ready: (p) => p.getByTestId(`app-card-${APP}`).first().waitFor() },
  { name: 'app-overview', hash: `#/apps/${PROJECT}-test/${APP}`, ready: (p) => p.getByTestId('overview').first().waitFor() },
  { name: 'app-deploys', hash: `#/apps/${PROJECT}-test/${APP}/deploys`, ready: (p) => p.getByTestId('revision-1').waitFor() },
  { name: 'app-webhook', hash: `#/apps/${PROJECT}-test/${APP}/webhook`, ready: (p) => p.getByRole('heading', { name: 'Webhook is enabled' }).waitFor() },
  { name: 'app-logs', hash: `#/apps/${PROJECT}-test/${APP}/logs`, ready: (p) => p.getByTestId('logs').waitFor() },
  { name: 'app-settings', hash: `#/apps/${PROJECT}-test/${APP}/settings`, ready: (p) => p.locator('#panel-settings').waitFor() },
  { name: 'app-builds', hash: `#/apps/${PROJECT}-test/${GIT_APP}/builds`, ready: (p) => p.getByTestId('build-log').waitFor() },
  { name: 'activity', hash: '#/activity', ready: (p) => p.getByTestId('audit-entry').first().waitFor() },
];

/**
 * In the page: every visible element whose right edge passes the right edge of its nearest
 * ancestor that clips or scrolls (overflow hidden, auto, scroll or clip), or of the viewport.
 * Elements that cut their own text on purpose (text-overflow: ellipsis, with the full value as a
 * title) are fine; what is inside them is theirs to clip.
 */
function overflowingElements(): string[] {
  const describe = (e: Element) => {
    const id = e.id ? `#${e.id}` : '';
    const testid = e.getAttribute('data-testid') ? `[data-testid=${e.getAttribute('data-testid')}]` : '';
    const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
    return `${e.tagName.toLowerCase()}${id}${testid}${cls}`;
  };
  const clips = (e: Element) => {
    const style = getComputedStyle(e);
    return ['hidden', 'auto', 'scroll', 'clip'].includes(style.overflowX);
  };
  const viewport = document.documentElement.clientWidth;
  // Visually hidden for screen readers only (a 1 px clip, like a table's header on a phone).
  const hidden = (e: Element) => {
    for (let a: Element | null = e; a && a !== document.body; a = a.parentElement) {
      const box = a.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1 && clips(a)) return true;
    }
    return false;
  };
  const offenders: string[] = [];
  for (const element of document.querySelectorAll('body *')) {
    if (element.closest('.sr-only, dialog:not([open]), [hidden], script, style')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.display === 'contents' || hidden(element)) continue;
    let parent = element.parentElement;
    while (parent && parent !== document.body && !clips(parent)) parent = parent.parentElement;
    if (parent && parent !== document.body) {
      // Text cut on purpose with an ellipsis shows the full value on hover.
      if (getComputedStyle(parent).textOverflow === 'ellipsis') continue;
      const limit = parent.getBoundingClientRect().right;
      if (box.right > limit + 1) offenders.push(`${describe(element)} right ${Math.round(box.right)} > ${Math.round(limit)} of ${describe(parent)}: "${(element.textContent ?? '').trim().slice(0, 40)}"`);
    } else if (box.right > viewport + 1) {
      offenders.push(`${describe(element)} right ${Math.round(box.right)} > viewport ${viewport}: "${(element.textContent ?? '').trim().slice(0, 40)}"`);
    }
    // A clipping element whose own text is wider than it, without an ellipsis: clipped words.
    if (clips(element) && style.overflowX === 'hidden' && style.textOverflow !== 'ellipsis' && element.scrollWidth > element.clientWidth + 1) {
      offenders.push(`${describe(element)} clips its content: ${element.scrollWidth} > ${element.clientWidth}`);
    }
  }
  return offenders;
}

describe('console layout with long names, at 1280 and 375 px', () => {
  let kipper: RunningKipper | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` first.`);
    mkdirSync(SHOTS, { recursive: true });
    kipper = await startKipper({ serveConsole: true });
    expect(IMAGE).toHaveLength(120);
    expect(APP).toHaveLength(40);
    await kipper.data(`mutation { createProject(input: { name: "${PROJECT}", environments: ["test", "acc", "prod"] }) { name } }`);
    await kipper.data(`mutation { deployApp(input: { project: "${PROJECT}", environment: "test", name: "${APP}", image: "${image(1)}", port: 8080 }) { id } }`);
    await kipper.data(`mutation { deployApp(input: { project: "${PROJECT}", environment: "acc", name: "${APP}", image: "${image(1)}", port: 8080 }) { id } }`);
    await kipper.data(
      `mutation { deployApp(input: { project: "${PROJECT}", environment: "test", name: "${GIT_APP}", gitUrl: "https://github.com/some-organisation/${GIT_APP}.git", port: 8080 }) { id } }`,
    );
    await kipper.data(`mutation { enableWebhook(app: { project: "${PROJECT}", environment: "test", name: "${APP}" }) { token } }`);
    await writeHistory(kipper.databaseUrl);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
  }, 120_000);

  // A failed step leaves a screenshot of what the page showed.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !browser) return;
    if (kipper?.logs.length) console.error(`api log (last 20 lines):\n${kipper.logs.slice(-20).join('\n')}`);
    await page.screenshot({ path: join(SHOTS, `layout-failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`), fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await kipper?.stop();
  });

  /**
   * The history of the image app: #1 live then replaced, #2 live then replaced, #3 failed (a long
   * reason), #4 a rollback to #2, live, current and pinned, #5 held behind the pin. Health degraded
   * with a long message, drift reported. The git app: two builds, the newest running.
   */
  async function writeHistory(databaseUrl: string): Promise<void> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM app WHERE name = $1 AND namespace = $2`, [APP, `${PROJECT}-test`]);
      const appId = rows[0]!.id;
      await db.query(`UPDATE revision SET status = 'live', commit = $2, started_at = now() - interval '3 hours', finished_at = now() - interval '3 hours' WHERE app_id = $1 AND number = 1`, [appId, SHA]);
      const insert = (n: number, status: string, trigger: string, extra: string, values: unknown[] = []) =>
        db.query(
          `INSERT INTO revision (app_id, number, image, commit, trigger, triggered_by, status, failure_reason, created_at, started_at, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() - ($9 || ' minutes')::interval, now() - ($9 || ' minutes')::interval, ${extra})`,
          [appId, n, image(n), SHA, trigger, n === 2 ? 'token:ci-deployer-for-the-checkout-team' : 'admin', status, ...values],
        );
      await insert(2, 'live', 'webhook', `now() - interval '2 hours'`, [null, 125]);
      await insert(3, 'failed', 'webhook', `now() - interval '50 minutes'`, [
        'The rollout did not finish within 600 s: 0/3 pods ready (ImagePullBackOff: the image ghcr.io/some-organisation/platform-team could not be pulled)',
        55,
      ]);
      await insert(4, 'live', 'rollback', `now() - interval '1 minute'`, [null, 9]);
      await db.query(`UPDATE revision SET image = $2 WHERE app_id = $1 AND number = 4`, [appId, image(2)]);
      await insert(5, 'held', 'webhook', 'null', [null, 1]);
      await db.query(
        `UPDATE revision r SET rollback_to_revision_id = (SELECT id FROM revision WHERE app_id = $1 AND number = 2) WHERE r.app_id = $1 AND r.number = 4`,
        [appId],
      );
      await db.query(
        `UPDATE app SET next_revision_number = 6, current_revision_id = (SELECT id FROM revision WHERE app_id = $1 AND number = 4),
           pinned_revision_id = (SELECT id FROM revision WHERE app_id = $1 AND number = 4), pinned_by = 'admin', pinned_at = now() - interval '1 minute',
           health = $2, drift = $3 WHERE id = $1`,
        [
          appId,
          JSON.stringify({ status: 'Degraded', reason: 'CrashLoopBackOffWithAVeryLongReasonName', message: '2/3 pods crash-looping: container checkout-payment-reconciliation-service1 exited 137', since: new Date().toISOString() }),
          JSON.stringify({ message: `drift: image ${image(9)} in the cluster, ${image(2)} recorded`, detectedAt: new Date().toISOString() }),
        ],
      );
      const git = await db.query<{ id: string }>(`SELECT id FROM app WHERE name = $1`, [GIT_APP]);
      const gitId = git.rows[0]!.id;
      await db.query(`UPDATE revision SET status = 'superseded' WHERE app_id = $1`, [gitId]);
      await db.query(`DELETE FROM build WHERE app_id = $1`, [gitId]);
      for (const [n, status] of [
        [1, 'succeeded'],
        [2, 'running'],
      ] as const) {
        await db.query(
          `INSERT INTO build (app_id, number, commit, status, image, log, created_at, started_at) VALUES ($1, $2, $3, $4, $5, $6, now() - ($2::int * interval '1 minute'), now())`,
          [gitId, n, SHA, status, image(n), [`#${n} building ${image(n)} from a very long path /workspace/some-organisation/${GIT_APP}/Dockerfile`]],
        );
      }
      await db.query(`UPDATE app SET next_build_number = 3 WHERE id = $1`, [gitId]);
    } finally {
      await db.end();
    }
  }

  it('no page or tab scrolls sideways or lets an element overflow its box, at 1280 and 375 px', async () => {
    const problems: string[] = [];
    let signedIn = false;
    for (const target of PAGES.filter((p) => p.signedOut)) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(kipper!.url);
        await target.ready(page);
        problems.push(...(await check(target.name, width)));
      }
    }
    for (const target of PAGES.filter((p) => !p.signedOut)) {
      if (!signedIn) {
        await page.setViewportSize({ width: 1280, height: 800 });
        await signInWithToken(page, kipper!.url, kipper!.adminToken);
        signedIn = true;
      }
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        await page.evaluate((hash) => void (location.hash = hash), target.hash);
        await target.ready(page);
        problems.push(...(await check(target.name, width)));
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);

  async function check(name: string, width: number): Promise<string[]> {
    // Fonts and late data settle; a relative time that changes does not change the layout.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `layout-${name}-${width}.png`), fullPage: true });
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
    const found = scrollWidth > clientWidth ? [`page scrolls sideways: ${scrollWidth} > ${clientWidth}`] : [];
    found.push(...(await page.evaluate(overflowingElements)));
    return found.map((problem) => `${name} at ${width}: ${problem}`);
  }

  it('the sign-in page says where a token comes from, without opening anything', async () => {
    const context = await browser!.newContext({ viewport: { width: 375, height: 800 } });
    const fresh = await context.newPage();
    await fresh.goto(kipper!.url);
    const origin = fresh.getByTestId('token-origin');
    expect(await origin.isVisible()).toBe(true);
    const words = (await origin.textContent())!.replace(/\s+/g, ' ');
    expect(words).toContain('Admin API token (shown once)');
    expect(words).toContain('kip token create NAME');
    await context.close();
  });

  it('the project card names what runs as "#4 · a94a8fe · live …", and its image whole on hover', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate((hash) => void (location.hash = hash), `#/projects/${PROJECT}`);
    const card = page.getByTestId('environment-test').getByTestId(`app-card-${APP}`);
    await card.waitFor();
    expect(await card.getByTestId('card-current').textContent()).toMatch(/^\s*#4 · a94a8fe · live (just now|\d+ min ago)/);
    expect(await card.getByTestId('card-image').getAttribute('title')).toBe(image(2));
    expect(await card.getByRole('link', { name: APP }).count()).toBe(1);
  });

  it('the Deploys tab fits 1280 px with every Rollback visible, and the long values are whole on hover', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate((hash) => void (location.hash = hash), `#/apps/${PROJECT}-test/${APP}/deploys`);
    await page.getByTestId('revision-5').waitFor();
    const table = page.getByTestId('history');
    const wrap = await table.evaluate((t) => ({ scroll: t.parentElement!.scrollWidth, client: t.parentElement!.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    // Each row's Rollback (enabled or not) is inside the screen.
    for (const n of [1, 2, 3, 4, 5]) {
      const box = await page.getByTestId(`revision-${n}`).getByTestId('rollback').boundingBox();
      expect(box, `Rollback of #${n}`).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    }
    // The image is cut in the middle on screen, whole in its title.
    const cell = page.getByTestId('revision-2').locator('.mid').first();
    expect(await cell.getAttribute('title')).toBe(image(2));
    expect(await page.getByTestId('revision-4').getByTestId('pin-reason').textContent()).toMatch(/^Pinned by admin .* \(rollback to #2\)/);
  });

  it('the Deploys rows become cards under 720 px', async () => {
    await page.setViewportSize({ width: 700, height: 800 });
    const display = await page.getByTestId('revision-4').evaluate((row) => getComputedStyle(row).display);
    expect(display).toBe('block');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.getByTestId('revision-4').evaluate((row) => getComputedStyle(row).display)).toBe('table-row');
  });

  it('Deploys controls: a disabled Rollback says why, Rollback rolls back, Cancel stops the in-flight revision', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    // The current row and the failed one cannot be a target: disabled, with the reason.
    const currentRollback = page.getByTestId('revision-4').getByTestId('rollback');
    expect(await currentRollback.isDisabled()).toBe(true);
    expect(await currentRollback.getAttribute('title')).toBe('This is the revision that runs now.');
    expect(await page.getByTestId('revision-4').locator('.sr-only').last().textContent()).toBe('This is the revision that runs now.');
    expect(await page.getByTestId('revision-3').getByTestId('rollback').getAttribute('title')).toBe('Its rollout failed: it never went live.');
    expect(await page.getByTestId('revision-2').getByTestId('rollback').getAttribute('title')).toBe('It runs the same image and settings as the current revision.');

    // #1 can: Rollback asks, then a new rollback revision appears (queued: no worker here).
    await page.getByTestId('revision-1').getByTestId('rollback').click();
    await page.getByRole('dialog').getByTestId('rollback-image').waitFor();
    expect(await page.getByRole('dialog').getByTestId('rollback-image').textContent()).toBe(image(1));
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    const rollback = page.getByTestId('revision-6');
    await rollback.waitFor();
    expect(await rollback.textContent()).toContain('rollback to #1');
    expect(await rollback.getAttribute('data-status')).toBe('QUEUED');

    // The in-flight row has Cancel; it stops the revision.
    await rollback.getByTestId('cancel').click();
    await page.getByRole('dialog', { name: /Cancel what/ }).getByRole('button', { name: 'Cancel it' }).click();
    await page.locator('[data-testid="revision-6"][data-status="CANCELLED"]').waitFor();
    expect(await page.getByTestId('revision-6').getByTestId('cancel').count()).toBe(0);
    expect(await page.getByTestId('revision-6').getByTestId('rollback').getAttribute('title')).toBe('It was cancelled before it went live.');
  }, 60_000);

  it('Deploys shows the health on the current row and what the cluster reported, live', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate((hash) => void (location.hash = hash), `#/apps/${PROJECT}-test/${APP}/deploys`);
    await page.getByTestId('revision-4').waitFor();
    expect(await page.getByTestId('revision-4').getByTestId('health').getAttribute('data-health')).toBe('DEGRADED');
    await page.getByTestId('drift-flag').waitFor();
    // What the worker's reconciler and health watch record, as it would.
    const services = kipper!.kipper.services;
    const app = await services.dataSource.getRepository(App).findOneByOrFail({ namespace: `${PROJECT}-test`, name: APP });
    await services.conditions.recordRepair(app, ['image put back to the recorded one']);
    await services.conditions.recordHealth(app.id, { status: HealthStatus.HEALTHY, reason: null, message: null });
    const events = page.getByTestId('cluster-events');
    await expect.poll(() => events.textContent(), { timeout: UI_TIMEOUT }).toContain('Repaired: image put back to the recorded one');
    await expect.poll(() => events.textContent(), { timeout: UI_TIMEOUT }).toContain('Health: Healthy');
    await expect.poll(() => page.getByTestId('revision-4').getByTestId('health').getAttribute('data-health'), { timeout: UI_TIMEOUT }).toBe('HEALTHY');
    // The repair cleared the reported drift: its flag goes.
    await page.getByTestId('drift-flag').waitFor({ state: 'detached' });
  });

  it('a viewer sees the history without Rollback, Cancel or Unpin', async () => {
    const created = await kipper!.data<{ createToken: { value: string } }>(
      `mutation { createToken(input: { name: "layout-viewer", project: "${PROJECT}", role: VIEWER }) { value } }`,
    );
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await context.newPage();
    viewer.setDefaultTimeout(UI_TIMEOUT);
    await signInWithToken(viewer, kipper!.url, created.createToken.value);
    await viewer.evaluate((hash) => void (location.hash = hash), `#/apps/${PROJECT}-test/${APP}/deploys`);
    await viewer.getByTestId('revision-4').waitFor();
    // The role is known once the first answers are in; give it the time a click would take.
    await viewer.waitForTimeout(500);
    expect(await viewer.getByTestId('history').getByRole('button', { name: /Rollback|Cancel|Unpin/ }).count()).toBe(0);
    expect(await viewer.getByTestId('history').getByRole('button', { name: /^Copy image/ }).count()).toBeGreaterThan(0);
    expect(await viewer.getByTestId('pin-banner').getByRole('button', { name: 'Unpin' }).count()).toBe(0);
    // The pin and its reason are shown to viewers too (the rollback above pinned the app again).
    expect(await viewer.getByTestId('pin-reason').textContent()).toContain('Pinned by admin');
    // The webhook's state, not its token or the buttons that change it.
    await viewer.evaluate((hash) => void (location.hash = hash), `#/apps/${PROJECT}-test/${APP}/webhook`);
    await viewer.getByRole('heading', { name: 'Webhook is enabled' }).waitFor();
    expect(await viewer.getByRole('button', { name: /Regenerate|Disable|Show token|Copy token/ }).count()).toBe(0);
    await context.close();
  }, 60_000);

  it('Builds: the newest build is selected with its log under its row, an older one on request, and a rebuild shows the new build', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate((hash) => void (location.hash = hash), `#/apps/${PROJECT}-test/${GIT_APP}/builds`);
    const log = page.getByTestId('build-log');
    await expect.poll(() => log.getAttribute('data-build'), { timeout: UI_TIMEOUT }).toBe('2');
    // The log's row follows the selected build's row.
    expect(await page.locator('[data-testid="build-2"] + tr.log-row [data-testid="build-log"]').count()).toBe(1);
    // One line per button, whatever the width.
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      const heights = await page.getByRole('button', { name: /^Log of build #/ }).evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height));
      expect(Math.max(...heights)).toBeLessThan(40);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Log of build #1' }).click();
    await expect.poll(() => log.getAttribute('data-build'), { timeout: UI_TIMEOUT }).toBe('1');
    await expect.poll(() => log.textContent(), { timeout: UI_TIMEOUT }).toContain('#1 building');
    expect(await page.locator('[data-testid="build-1"] + tr.log-row').count()).toBe(1);

    await page.getByRole('button', { name: 'Rebuild from branch head' }).click();
    await expect.poll(() => log.getAttribute('data-build'), { timeout: UI_TIMEOUT }).toBe('3');
    expect(await page.locator('[data-testid="build-3"] + tr.log-row').count()).toBe(1);
  }, 60_000);
});
