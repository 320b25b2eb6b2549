import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster, type Cluster } from '@kipper/kube';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, ok } from './helpers.js';

/**
 * Notification channels over GraphQL (no worker: nothing is sent here; test/worker/notifications
 * sends). Private addresses are refused: this Kipper runs without KIPPER_NOTIFY_ALLOW_PRIVATE.
 */
let k: RunningKipper;
let cluster: Cluster;
/** The channel's Secret as the worker reads it. */
const secretOf = (id: string) => cluster.readNotificationSecret('notify-test', id);
const PUBLIC_URL = 'https://93.184.216.34/hooks/kipper?token=abc';

beforeAll(async () => {
  k = await startKipper();
  cluster = connectCluster({ kind: 'server', server: k.sim.url });
  await createProject(k, 'notify');
  await createProject(k, 'other');
  await deployApp(k, { project: 'notify', environment: 'test', name: 'api', image: 'registry.example.com/api:v1' });
  await deployApp(k, { project: 'notify', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
});
afterAll(async () => {
  cluster?.close();
  await k?.stop();
});

const CHANNEL = 'id kind url events enabled createdBy createdAt project { name } app { name namespace }';

interface Channel {
  id: string;
  kind: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdBy: string;
  project: { name: string };
  app: { name: string; namespace: string } | null;
}

function create(input: Record<string, unknown>) {
  return k.graphql<{ createNotificationChannel: { channel: Channel; signingSecret: string | null } }>(
    `mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { channel { ${CHANNEL} } signingSecret } }`,
    { input },
  );
}

async function list(variables: Record<string, unknown>): Promise<Channel[]> {
  return ok(await k.graphql<{ notificationChannels: Channel[] }>(`query($project: String, $app: AppRef) { notificationChannels(project: $project, app: $app) { ${CHANNEL} } }`, variables))
    .notificationChannels;
}

/** Rows of any table whose text form holds `needle`, by table: the database never holds a channel's secrets. */
async function rowsHolding(needle: string): Promise<Record<string, number>> {
  const ds = k.kipper.services.dataSource;
  const tables = (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)) as { tablename: string }[];
  const found: Record<string, number> = {};
  for (const { tablename } of tables) {
    const [row] = (await ds.query(`SELECT count(*)::int AS n FROM "${tablename}" t WHERE t::text LIKE '%' || $1 || '%'`, [needle])) as { n: number }[];
    if (row!.n > 0) found[tablename] = row!.n;
  }
  return found;
}

describe('notification channels', () => {
  it('a webhook channel of a project: every event by default, the signing secret shown once and kept only in a Kubernetes Secret', async () => {
    const created = ok(await create({ project: 'notify', url: PUBLIC_URL })).createNotificationChannel;
    expect(created.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.channel).toMatchObject({
      kind: 'WEBHOOK',
      url: 'https://93.184.216.34/hooks/kipper?…',
      events: ['REVISION_QUEUED', 'REVISION_LIVE', 'REVISION_FAILED', 'REVISION_ROLLED_BACK', 'REVISION_CANCELLED', 'REVISION_HELD', 'REVISION_AWAITING_APPROVAL', 'REVISION_APPROVED', 'REVISION_REJECTED', 'APP_DEGRADED', 'APP_DRIFT_REPAIRED'],
      enabled: true,
      createdBy: 'admin',
      project: { name: 'notify' },
      app: null,
    });
    const secret = await secretOf(created.channel.id);
    expect(secret).toEqual({ url: PUBLIC_URL, signingSecret: created.signingSecret });
    expect(await rowsHolding(created.signingSecret!)).toEqual({});
    expect(await rowsHolding('token=abc')).toEqual({});
    // Not readable again through the API.
    const again = await k.graphql(`query { notificationChannels { id signingSecret } }`);
    expect(codeOf(again)).toBe('VALIDATION_FAILED');
  });

  it('a Slack channel of one app: no signing secret, its URL (a credential) out of the database too', async () => {
    const url = 'https://hooks.slack.com/services/T0000/B0000/verysecretslackpath';
    const created = ok(await create({ project: 'notify', app: 'api', kind: 'SLACK', url, events: ['REVISION_LIVE', 'REVISION_FAILED'] })).createNotificationChannel;
    expect(created.signingSecret).toBeNull();
    expect(created.channel).toMatchObject({ kind: 'SLACK', url: 'https://hooks.slack.com/services/…', events: ['REVISION_LIVE', 'REVISION_FAILED'], app: { name: 'api', namespace: 'notify-test' } });
    expect(await rowsHolding('verysecretslackpath')).toEqual({});
    expect(await secretOf(created.channel.id)).toEqual({ url, signingSecret: null });
  });

  it('lists by project, and for an app its own channels with its project\'s', async () => {
    const all = await list({ project: 'notify' });
    expect(all.map((c) => c.kind)).toEqual(['SLACK', 'WEBHOOK']);
    expect((await list({ app: { project: 'notify', name: 'api' } })).map((c) => c.kind)).toEqual(['SLACK', 'WEBHOOK']);
    expect((await list({ app: { project: 'notify', name: 'web' } })).map((c) => c.kind)).toEqual(['WEBHOOK']);
    expect(await list({ project: 'other' })).toEqual([]);
    expect(codeOf(await k.graphql(`query { notificationChannels(project: "nope") { id } }`))).toBe('PROJECT_NOT_FOUND');
  });

  it('refuses URLs into Kipper\'s own network, other schemes and credentials, unknown apps and empty event lists; nothing is written', async () => {
    const before = await list({});
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost/hook', 'http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/hook']) {
      const response = await create({ project: 'notify', url });
      expect(codeOf(response), url).toBe('VALIDATION_FAILED');
      expect(response.errors![0]!.message).toMatch(/KIPPER_NOTIFY_ALLOW_PRIVATE=true/);
    }
    expect(codeOf(await create({ project: 'notify', url: 'ftp://93.184.216.34/x' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await create({ project: 'notify', url: 'https://user:pw@93.184.216.34/x' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await create({ project: 'notify', url: PUBLIC_URL, events: [] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await create({ project: 'notify', url: PUBLIC_URL, events: ['REVISION_BUILDING'] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await create({ project: 'notify', app: 'nope', url: PUBLIC_URL }))).toBe('APP_NOT_FOUND');
    expect(codeOf(await create({ project: 'nope', url: PUBLIC_URL }))).toBe('PROJECT_NOT_FOUND');
    expect(await list({})).toEqual(before);
  });

  it('deliveries of an unknown channel are NOTIFICATION_CHANNEL_NOT_FOUND; a channel without any has none', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(codeOf(await k.graphql(`query($id: ID!) { notificationDeliveries(channel: $id) { id } }`, { id }))).toBe('NOTIFICATION_CHANNEL_NOT_FOUND');
    }
    const [channel] = await list({ project: 'notify' });
    expect(ok(await k.graphql<{ notificationDeliveries: unknown[] }>(`query($id: ID!) { notificationDeliveries(channel: $id, first: 5) { id } }`, { id: channel!.id })).notificationDeliveries).toEqual([]);
  });

  it('delete removes the row and the Secret, audited; a second delete is NOTIFICATION_CHANNEL_NOT_FOUND', async () => {
    const channel = (await list({ project: 'notify' })).find((c) => c.kind === 'WEBHOOK')!;
    const removed = ok(await k.graphql<{ deleteNotificationChannel: Channel }>(`mutation($id: ID!) { deleteNotificationChannel(id: $id) { ${CHANNEL} } }`, { id: channel.id }));
    expect(removed.deleteNotificationChannel.id).toBe(channel.id);
    expect(await secretOf(channel.id)).toBeNull();
    expect((await list({ project: 'notify' })).map((c) => c.id)).not.toContain(channel.id);
    expect(codeOf(await k.graphql(`mutation($id: ID!) { deleteNotificationChannel(id: $id) { id } }`, { id: channel.id }))).toBe('NOTIFICATION_CHANNEL_NOT_FOUND');
    const audit = await k.kipper.services.audit.recent({ first: 50 });
    expect(audit.filter((e) => e.action.startsWith('notification.')).map((e) => [e.action, e.target])).toEqual([
      ['notification.delete', 'notify'],
      ['notification.create', 'notify-test/api'],
      ['notification.create', 'notify'],
    ]);
  });

  it('deleting an app deletes its channels and their Secrets', async () => {
    const [channel] = await list({ app: { project: 'notify', name: 'api' } });
    expect(channel?.app?.name).toBe('api');
    ok(await k.graphql(`mutation { deleteApp(app: { project: "notify", environment: "test", name: "api" }) }`));
    expect(await list({ project: 'notify' })).toEqual([]);
    expect(await secretOf(channel!.id)).toBeNull();
  });
});
