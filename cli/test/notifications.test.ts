import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/program.js';
import { apiError, startFakeKipper, type FakeKipper } from './support/fake-kipper.js';
import { ago, HOUR, MIN, NOW, TOKEN_64 } from './support/fixtures.js';
import { captureIo } from './support/io.js';

let fake: FakeKipper;

async function kip(args: string[]) {
  const io = captureIo({ env: { KIPPER_SERVER: fake.url, KIPPER_TOKEN: fake.token, XDG_CONFIG_HOME: '/nonexistent/kip-test' }, tty: false, now: NOW });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err(), lines: io.out().replace(/\n$/, '').split('\n') };
}

const calls = (name: string) => fake.calls.filter((c) => c.operationName === name);
const ALL = ['REVISION_QUEUED', 'REVISION_LIVE', 'REVISION_FAILED', 'REVISION_ROLLED_BACK', 'REVISION_CANCELLED', 'REVISION_HELD', 'REVISION_AWAITING_APPROVAL', 'REVISION_APPROVED', 'REVISION_REJECTED', 'APP_DEGRADED', 'APP_DRIFT_REPAIRED'];
const ID = '5b0c2f0e-8a7d-4c8e-9a55-0d1f2e3a4b5c';
const SLACK_ID = '0f1e2d3c-4b5a-4968-8776-655443322110';

function channel(extra: Record<string, unknown> = {}) {
  return {
    id: ID,
    kind: 'WEBHOOK',
    url: 'https://ci.example.com/hooks/kipper',
    events: ALL,
    enabled: true,
    createdBy: 'admin',
    createdAt: ago(HOUR),
    project: { name: 'shop' },
    app: null,
    deliveries: [],
    ...extra,
  };
}

function delivery(extra: Record<string, unknown> = {}) {
  return {
    id: 'a0000000-0000-4000-8000-000000000001',
    channelId: ID,
    deliveryId: 'b0000000-0000-5000-8000-000000000001',
    event: 'REVISION_LIVE',
    attempt: 1,
    outcome: 'DELIVERED',
    statusCode: 200,
    error: null,
    latencyMs: 42,
    responseExcerpt: 'ok',
    at: ago(2 * MIN),
    revision: { number: 12 },
    ...extra,
  };
}

beforeAll(async () => {
  fake = await startFakeKipper();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  for (const key of Object.keys(fake.root)) delete fake.root[key];
});

describe('kip notifications', () => {
  it('add: a signed webhook for a project, every event; the signing secret printed once', async () => {
    fake.root.createNotificationChannel = () => ({ channel: channel(), signingSecret: TOKEN_64 });
    const r = await kip(['notifications', 'add', '--project', 'shop', '--url', 'https://ci.example.com/hooks/kipper']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      '✔ Notifications of project shop go to https://ci.example.com/hooks/kipper',
      `Channel: ${ID}`,
      'Kind:    webhook (signed JSON)',
      'Events:  all (revision.queued, revision.live, revision.failed, revision.rolled_back, revision.cancelled, revision.held, revision.awaiting_approval, revision.approved, revision.rejected, app.degraded, app.drift_repaired)',
      `Signing secret: ${TOKEN_64}`,
      '',
      'Check X-Kipper-Signature-256 with this secret (see docs/webhooks-and-ci-cd.md, Notifications); it is not shown again.',
    ]);
    expect(calls('CreateNotificationChannel')[0]!.variables).toEqual({
      input: { project: 'shop', app: null, environment: null, kind: 'WEBHOOK', url: 'https://ci.example.com/hooks/kipper', events: null },
    });
  });

  it('add --slack --app --events: payload names or GraphQL names; JSON output', async () => {
    fake.root.createNotificationChannel = () => ({
      channel: channel({ id: SLACK_ID, kind: 'SLACK', url: 'https://hooks.slack.com/services/…', events: ['REVISION_LIVE', 'REVISION_ROLLED_BACK'], app: { name: 'api', namespace: 'shop-test' } }),
      signingSecret: null,
    });
    const r = await kip(['notifications', 'add', '-p', 'shop', '--app', 'api', '--slack', '--url', 'https://hooks.slack.com/services/T/B/x', '--events', 'revision.live,REVISION_ROLLED_BACK', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(calls('CreateNotificationChannel')[0]!.variables).toMatchObject({ input: { app: 'api', kind: 'SLACK', events: ['REVISION_LIVE', 'REVISION_ROLLED_BACK'] } });
    expect(JSON.parse(r.out)).toEqual({
      id: SLACK_ID,
      kind: 'slack',
      project: 'shop',
      app: { name: 'api', namespace: 'shop-test' },
      url: 'https://hooks.slack.com/services/…',
      events: ['revision.live', 'revision.rolled_back'],
      enabled: true,
      createdBy: 'admin',
      createdAt: ago(HOUR),
      signingSecret: null,
    });
  });

  it('add: an unknown event type is wrong usage (exit 2) and nothing is sent; a refused URL is the API\'s words (exit 1)', async () => {
    const wrong = await kip(['notifications', 'add', '-p', 'shop', '--url', 'https://x.example.com/', '--events', 'revision.building']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/unknown event type revision\.building: use revision\.queued, revision\.live/);
    expect(calls('CreateNotificationChannel')).toHaveLength(0);
    fake.root.createNotificationChannel = () => {
      throw apiError('VALIDATION_FAILED', 'Notification URL points at 127.0.0.1, a loopback, link-local or private address: Kipper does not send notifications into its own network unless KIPPER_NOTIFY_ALLOW_PRIVATE=true');
    };
    const refused = await kip(['notifications', 'add', '-p', 'shop', '--url', 'http://127.0.0.1:9000/']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^Error: Notification URL points at 127\.0\.0\.1/);
  });

  it('list: id, kind, whom it is for, URL, events and how the last delivery went', async () => {
    fake.root.notificationChannels = () => [
      channel({ id: SLACK_ID, kind: 'SLACK', url: 'https://hooks.slack.com/services/…', events: ['REVISION_LIVE', 'REVISION_FAILED'], app: { name: 'api', namespace: 'shop-test' }, deliveries: [] }),
      channel({ deliveries: [delivery({ outcome: 'RETRYING', statusCode: null, error: 'connection refused (nothing listening)' })] }),
    ];
    const r = await kip(['notifications', 'list', '--project', 'shop']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'ID                                    KIND     FOR                  URL                                  EVENTS                         LAST DELIVERY',
      `${SLACK_ID}  slack    app api (shop-test)  https://hooks.slack.com/services/…   revision.live,revision.failed  -`,
      `${ID}  webhook  project shop         https://ci.example.com/hooks/kipper  all                            retrying: connection refused (nothing listening), 2 min ago`,
    ]);
    expect(calls('NotificationChannels')[0]!.variables).toEqual({ project: 'shop', app: null, deliveries: 1 });
  });

  it('list --app names the app (its channels and its project\'s); none yet says how to add one', async () => {
    fake.root.notificationChannels = () => [];
    const r = await kip(['notifications', 'list', '--project', 'shop', '--app', 'api']);
    expect(r.lines).toEqual(['No notification channels yet. Add one with `kip notifications add --project PROJECT --url URL`.']);
    expect(calls('NotificationChannels')[0]!.variables).toEqual({ project: null, app: { name: 'api', project: 'shop', environment: null }, deliveries: 1 });
  });

  it('remove ID; an unknown one is NOTIFICATION_CHANNEL_NOT_FOUND, exit 1', async () => {
    fake.root.deleteNotificationChannel = () => channel();
    const r = await kip(['notifications', 'remove', ID]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['✔ Removed the notification channel of project shop to https://ci.example.com/hooks/kipper']);
    expect(calls('DeleteNotificationChannel')[0]!.variables).toEqual({ id: ID });
    fake.root.deleteNotificationChannel = () => {
      throw apiError('NOTIFICATION_CHANNEL_NOT_FOUND', `No notification channel ${ID} (kip notifications list shows them)`);
    };
    const gone = await kip(['notifications', 'remove', ID, '-o', 'json']);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.err)).toEqual({ error: { code: 'NOTIFICATION_CHANNEL_NOT_FOUND', message: `No notification channel ${ID} (kip notifications list shows them)` } });
  });

  it('deliveries ID: every attempt with its result, latency and the receiver\'s answer or why there was none', async () => {
    fake.root.notificationDeliveries = () => [
      delivery({ attempt: 3, at: ago(MIN / 2) }),
      delivery({ attempt: 2, outcome: 'RETRYING', statusCode: 500, error: 'answered 500', responseExcerpt: 'Internal\nServer Error', latencyMs: 8, at: ago(3 * MIN) }),
      delivery({ attempt: 1, outcome: 'RETRYING', statusCode: null, error: 'no answer within 5000 ms', responseExcerpt: null, latencyMs: 5001, at: ago(4 * MIN) }),
    ];
    const r = await kip(['notifications', 'deliveries', ID, '--limit', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'WHEN       EVENT          REVISION  ATTEMPT  RESULT         LATENCY  ANSWER',
      'just now   revision.live  #12       3        delivered 200  42 ms    ok',
      '3 min ago  revision.live  #12       2        retrying 500   8 ms     Internal Server Error',
      '4 min ago  revision.live  #12       1        retrying       5001 ms  no answer within 5000 ms',
    ]);
    expect(calls('NotificationDeliveries')[0]!.variables).toEqual({ channel: ID, project: null, first: 3 });
  });

  it('deliveries without an ID shows the channel; -o json has every field', async () => {
    fake.root.notificationDeliveries = () => [delivery()];
    const text = await kip(['notifications', 'deliveries']);
    expect(text.lines[0]).toBe('WHEN       CHANNEL   EVENT          REVISION  ATTEMPT  RESULT         LATENCY  ANSWER');
    expect(text.lines[1]).toBe('2 min ago  5b0c2f0e  revision.live  #12       1        delivered 200  42 ms    ok');
    const json = await kip(['notifications', 'deliveries', '-o', 'json']);
    expect(JSON.parse(json.out)).toEqual({
      deliveries: [
        {
          id: 'a0000000-0000-4000-8000-000000000001',
          channel: ID,
          delivery: 'b0000000-0000-5000-8000-000000000001',
          event: 'revision.live',
          revision: 12,
          attempt: 1,
          outcome: 'delivered',
          statusCode: 200,
          error: null,
          latencyMs: 42,
          response: 'ok',
          at: ago(2 * MIN),
        },
      ],
    });
  });
});
