import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip, until } from './support/kip-process.js';

/**
 * The seed's flow with the built `kip` (node cli/bin/kip.js, after `npm run build`) as a
 * subprocess against a real Kipper: PostgreSQL, Redis, the worker and the Kubernetes simulator.
 */
const P = ['--project', 'yourr-name', '--environment', 'test'];

let kipper: RunningKipper;
let configHome: string;

const kip = (args: string[], env: Record<string, string> = {}) => runKip(kipper, configHome, args, env);

const squeeze = (line: string) => line.replace(/ +/g, ' ');

async function currentRevision(): Promise<number | undefined> {
  const r = await kip(['app', 'history', 'api', ...P, '-o', 'json']);
  const json = JSON.parse(r.out) as { revisions: { number: number; current: boolean }[] };
  return json.revisions.find((x) => x.current)?.number;
}

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-e2e-'));
  // A short progress deadline so the simulator's failing image (…:sim-fail) fails within seconds.
  // sim-crash pods crash-loop a second after they became ready.
  kipper = await startKipper({ worker: true, env: { KIPPER_PROGRESS_DEADLINE_SECONDS: '5' }, simulator: { crashAfterMs: 1000 } });
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(configHome, { recursive: true, force: true });
});

describe('the seed flow with the built kip', () => {
  let webhookUrl = '';
  let token = '';

  it('kip login saves the server and token', async () => {
    const r = await kip(['login', '--server', kipper.url, '--token', kipper.adminToken], { KIPPER_SERVER: '', KIPPER_TOKEN: '' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(`✔ Logged in to ${kipper.url}`);
    const bad = await kip(['project', 'list'], { KIPPER_TOKEN: 'f'.repeat(64) });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('The API token was refused');
  });

  it('kip project create', async () => {
    const r = await kip(['project', 'create', 'yourr-name']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toContain('✔ Namespace yourr-name-test ready');
    expect(r.lines).toContain('✔ Namespace yourr-name-prod ready');
    expect(r.lines.at(-1)).toBe('Promotion pipeline: test → acc → prod');
  });

  it('kip app deploy --wait', async () => {
    const r = await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:ghi789b', '--port', '3000', ...P, '--wait']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ App api created in yourr-name-test');
    expect(r.lines.at(-1)).toBe('✔ Revision #1 is live');
  });

  it('kip app webhook enable prints URL, token and the GitLab CI snippet', async () => {
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Webhook enabled for api');
    expect(r.lines[1]).toMatch(/^Webhook URL: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/webhook\/yourr-name-test\/api$/);
    expect(r.lines[2]).toMatch(/^Secret token: [0-9a-f]{64}$/);
    expect(r.lines[3]).toBe('GitLab CI snippet (.gitlab-ci.yml):');
    webhookUrl = r.lines[1]!.slice('Webhook URL: '.length);
    token = r.lines[2]!.slice('Secret token: '.length);
    expect(r.out).toContain('X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN');
    expect(r.out).toContain(webhookUrl);
  });

  it("the seed's curl with the printed token deploys, and history shows it", async () => {
    for (const [n, sha] of [
      [2, 'def456a'],
      [3, 'abc123f'],
    ] as const) {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'X-Kipper-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ image: `registry.example.com/api:${sha}`, commit: sha }),
      });
      expect(res.status).toBe(202);
      await until(`revision #${n} live`, async () => ((await currentRevision()) === n ? true : undefined));
    }
    const r = await kip(['app', 'history', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines.map(squeeze)).toEqual([
      '# IMAGE COMMIT TRIGGER WHEN',
      '3 registry.example.com/api:abc123f abc123f webhook just now (current)',
      '2 registry.example.com/api:def456a def456a webhook just now',
      '1 registry.example.com/api:ghi789b - manual just now',
    ]);
  });

  it('kip app rollback goes to the previous image; --revision N to N', async () => {
    const back = await kip(['app', 'rollback', 'api', ...P, '--wait']);
    expect(back.err).toBe('');
    expect(back.code).toBe(0);
    expect(back.lines[0]).toBe('✔ Rolled back api to revision #2 (registry.example.com/api:def456a)');
    expect(back.lines).toContain('api is pinned to revision #4: webhooks and git pushes are held until kip app unpin api.');
    expect(back.lines.at(-1)).toBe('✔ Revision #4 is live');

    const to1 = await kip(['app', 'rollback', 'api', '--revision', '1', ...P, '--wait']);
    expect(to1.code).toBe(0);
    expect(to1.lines[0]).toBe('✔ Rolled back api to revision #1 (registry.example.com/api:ghi789b)');

    const missing = await kip(['app', 'rollback', 'api', '--revision', '99', ...P]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^Error: .*99/);

    const history = await kip(['app', 'history', 'api', ...P]);
    // The second rollback pinned the app to its own revision.
    expect(squeeze(history.lines[1]!)).toBe('5 registry.example.com/api:ghi789b - rollback just now (current, pinned)');
  });

  it('--wait exits 1 when the rollout fails', async () => {
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:sim-fail', ...P, '--wait', '--timeout', '60']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: Revision #6 failed/);
    const history = await kip(['app', 'history', 'api', ...P]);
    // A failed rollout never becomes current (with auto-rollback a rollback revision may follow it).
    expect(history.lines.map(squeeze)).toContain('6 registry.example.com/api:sim-fail - manual just now (failed)');
  }, 90_000);

  it('kip app webhook status and disable', async () => {
    const status = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(status.code).toBe(0);
    expect(status.lines).toContain(`Webhook URL: ${webhookUrl}`);
    expect(status.lines).toContain(`Secret token: ${token}`);

    const disable = await kip(['app', 'webhook', 'disable', 'api', ...P]);
    expect(disable.code).toBe(0);
    expect(disable.lines[0]).toBe('✔ Webhook disabled for api');

    const after = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(after.lines[0]).toContain('not enabled');
    expect(after.lines[1]).toBe('Enable it with: kip app webhook enable api --project yourr-name --environment test');

    const refused = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'X-Kipper-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: 'registry.example.com/api:zzz' }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
  });

  it('kip app promote --yes, and without --yes off a terminal it is a usage error', async () => {
    const refused = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test', '--to', 'acc']);
    expect(refused.code).toBe(2);

    // Promotion goes to the same app in the next environment: it has to exist there.
    const acc = await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:abc123f', '--port', '3000', '--project', 'yourr-name', '--environment', 'acc', '--wait']);
    expect(acc.code).toBe(0);

    const r = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test', '--to', 'acc', '--yes', '--wait']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^✔ Promoted api from test to acc: registry\.example\.com\/api:ghi789b/);
    expect(r.lines.at(-1)).toMatch(/^✔ Revision #\d+ is live$/);
  });

  it('--output json is parseable and says the same', async () => {
    const r = await kip(['app', 'history', 'api', '--project', 'yourr-name', '--environment', 'acc', '-o', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { namespace: string; revisions: { trigger: string; current: boolean; image: string; digest: string }[] };
    expect(json.namespace).toBe('yourr-name-acc');
    // A promotion runs the digest test ran, and keeps the tag for display.
    expect(json.revisions[0]).toMatchObject({ trigger: 'promotion', current: true, imageTag: 'registry.example.com/api:ghi789b', image: expect.stringMatching(/^registry\.example\.com\/api@sha256:[0-9a-f]{64}$/) });
    expect(json.revisions[0]!.image).toBe(`registry.example.com/api@${json.revisions[0]!.digest}`);
  });
});

describe('pins, held deliveries, cancel, configure and health with the built kip', () => {
  let url = '';
  let token = '';
  const web = (args: string[]) => kip([...args, ...P]);

  async function historyOf(name: string) {
    const r = await kip(['app', 'history', name, ...P, '-o', 'json']);
    return (JSON.parse(r.out) as { revisions: { number: number; status: string; current: boolean }[] }).revisions;
  }

  it('web: two live revisions and a webhook', async () => {
    expect((await web(['app', 'deploy', '--name', 'web', '--image', 'registry.example.com/web:v1', '--port', '8080', '--wait'])).code).toBe(0);
    expect((await web(['app', 'update', 'web', '--image', 'registry.example.com/web:v2', '--wait'])).code).toBe(0);
    const enable = await web(['app', 'webhook', 'enable', 'web', '--ci', 'none']);
    url = enable.lines[1]!.slice('Webhook URL: '.length);
    token = enable.lines[2]!.slice('Secret token: '.length);
  });

  it('a rollback pins web; a webhook POST is held and changes nothing; unpin deploys it', async () => {
    const back = await web(['app', 'rollback', 'web', '--wait']);
    expect(back.code).toBe(0);
    expect(back.lines).toContain('web is pinned to revision #3: webhooks and git pushes are held until kip app unpin web.');

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'X-Kipper-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: 'registry.example.com/web:v3', commit: 'abc123f' }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { revision: { number: number; status: string }; message: string };
    expect(body.revision).toMatchObject({ number: 4, status: 'held' });
    expect(body.message).toMatch(/^Revision #4 is held: web is pinned to revision #3 \(rolled back by admin at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\. Run kip app unpin web to deploy it\.$/);

    const history = await web(['app', 'history', 'web']);
    expect(history.lines.map(squeeze).slice(1, 3)).toEqual([
      '4 registry.example.com/web:v3 abc123f webhook just now (held)',
      '3 registry.example.com/web:v1 - rollback just now (current, pinned)',
    ]);
    const status = await web(['app', 'status', 'web']);
    expect(status.lines.map(squeeze)).toContain('Held: #4 registry.example.com/web:v3 (webhook, just now)');
    expect(status.lines.map(squeeze).find((l) => l.startsWith('Pin:'))).toMatch(/^Pin: Pinned to revision #3 by admin at .+ UTC \(kip app unpin web\)$/);
    const deliveries = await web(['app', 'deliveries', 'web']);
    expect(squeeze(deliveries.lines[1]!)).toMatch(/^just now kipper deploy 202 held #4 Revision #4 is held: web is pinned to revision #3/);
    // Nothing changed in the cluster: the Deployment still runs the pinned image.
    const deployment = (await (await fetch(`${kipper.sim.url}/apis/apps/v1/namespaces/yourr-name-test/deployments/web`)).json()) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]!.image).toBe('registry.example.com/web:v1');

    const unpin = await web(['app', 'unpin', 'web', '--wait', '--timeout', '60']);
    expect(unpin.err).toBe('');
    expect(unpin.code).toBe(0);
    expect(unpin.lines[0]).toBe('✔ web is no longer pinned. Deploying held revision #4 (registry.example.com/web:v3).');
    expect(unpin.lines.at(-1)).toBe('✔ Revision #4 is live');
    const again = await web(['app', 'unpin', 'web']);
    expect(again.code).toBe(1);
    // The server's request id comes with every API error, so an operator can find its log lines.
    expect(again.err).toMatch(/^Error: App web is not pinned: there is nothing to unpin \(request id: [0-9a-f-]{36}\)\.\n$/);
  }, 90_000);

  it('kip app cancel stops a rollout and rolls back to the last live image', async () => {
    // sim-slow pods take their time to be ready: the rollout stays in flight long enough to cancel it.
    const update = await web(['app', 'update', 'web', '--image', 'registry.example.com/web:sim-slow']);
    expect(update.code).toBe(0);
    await until('revision #5 rolling out', async () => ((await historyOf('web')).find((r) => r.number === 5)?.status === 'rolling_out' ? true : undefined));
    const cancel = await web(['app', 'cancel', 'web', '--wait', '--timeout', '60']);
    expect(cancel.err).toBe('');
    expect(cancel.code).toBe(0);
    expect(cancel.lines[0]).toBe('✔ Cancelled revision #5 (rolling out). Rolling back to revision #4 (registry.example.com/web:v3) as revision #6.');
    expect(cancel.lines.at(-1)).toBe('✔ Revision #6 is live');
    const history = await web(['app', 'history', 'web']);
    expect(history.lines.map(squeeze).slice(1, 3)).toEqual([
      '6 registry.example.com/web:v3 abc123f rollback just now (current)',
      '5 registry.example.com/web:sim-slow - manual just now (cancelled)',
    ]);

    const nothing = await web(['app', 'cancel', 'web']);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/^Error: App web has no deploy or build in progress: there is nothing to cancel \(request id: [0-9a-f-]{36}\)\.\n$/);
  }, 90_000);

  it('kip app configure changes the drift policy and says so', async () => {
    const r = await web(['app', 'configure', 'web', '--drift-policy', 'report', '--deploy-policy', 'every']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['✔ Settings of web (yourr-name-test) saved', 'Port:          8080', 'Replicas:      1', 'Host:          -', 'Deploy policy: every', 'Auto rollback: on', 'Drift policy:  report']);
    const status = JSON.parse((await web(['app', 'status', 'web', '-o', 'json'])).out) as { app: Record<string, unknown> };
    expect(status.app).toMatchObject({ driftPolicy: 'report', deployPolicy: 'every', autoRollback: true });
    expect((await web(['app', 'configure', 'web', '--drift-policy', 'repair', '--deploy-policy', 'latest'])).code).toBe(0);
  });

  it("a sim-crash image goes live, then kip app status, kip app list and an appEvents subscription show the app Degraded", async () => {
    const degraded = new Promise<Record<string, unknown>>((resolve, reject) => {
      const client = createClient({ url: kipper.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${kipper.adminToken}` }, retryAttempts: 0 });
      const stop = client.subscribe<{ appEvents: Record<string, unknown> & { health: { status: string } | null } }>(
        { query: 'subscription { appEvents(app: { namespace: "yourr-name-test", name: "web" }) { type health { status reason message } revision { number status } } }' },
        {
          next: ({ data }) => {
            if (data?.appEvents.type === 'HEALTH' && data.appEvents.health?.status === 'DEGRADED') {
              resolve(data.appEvents);
              stop();
              void client.dispose();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    const update = await web(['app', 'update', 'web', '--image', 'registry.example.com/web:sim-crash', '--wait', '--timeout', '60']);
    expect(update.err).toBe('');
    expect(update.lines.at(-1)).toBe('✔ Revision #7 is live');

    const seen = await until('the health line in status and list', async () => {
      const status = (await web(['app', 'status', 'web'])).lines.map(squeeze);
      const list = (await kip(['app', 'list', '--project', 'yourr-name', '--environment', 'test'])).lines.map(squeeze);
      const health = status.find((l) => l.startsWith('Health:'));
      const row = list.find((l) => l.startsWith('web '));
      return health?.startsWith('Health: Degraded') && row?.includes(' live Degraded ') ? { health, row, header: list[0] } : undefined;
    });
    expect(seen.health).toMatch(/^Health: Degraded \(1\/1 pod crash-looping \(CrashLoopBackOff, \d+ restarts?\)\)$/);
    expect(seen.header).toBe('NAME NAMESPACE SOURCE REVISION STATUS HEALTH IMAGE');
    expect(seen.row).toBe('web yourr-name-test image #7 live Degraded registry.example.com/web:sim-crash');
    // The revision did roll out: it stays live while the app is Degraded.
    expect(await degraded).toMatchObject({ type: 'HEALTH', health: { status: 'DEGRADED', reason: 'CrashLoopBackOff' }, revision: { number: 7, status: 'LIVE' } });
  }, 90_000);
});
