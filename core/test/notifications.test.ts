import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DeployEventType,
  displayUrlOf,
  isNotificationEvent,
  NOTIFICATION_EVENTS,
  NotificationChannelKind,
  NotificationEvent,
  notificationDeliveryId,
  notificationEventOf,
  notificationHostProblem,
  notificationPayload,
  notificationSignature,
  parseNotificationUrl,
  RevisionStatus,
  RevisionTrigger,
  slackPayload,
  verifyNotificationSignature,
  type NotificationSubject,
} from '@kipper/core';

const revision = (trigger: RevisionTrigger) => ({ trigger });

describe('notification event types', () => {
  it('map from revision and app events; rollback revisions going live are revision.rolled_back', () => {
    expect(notificationEventOf(DeployEventType.QUEUED, revision(RevisionTrigger.WEBHOOK), null)).toBe(NotificationEvent.REVISION_QUEUED);
    expect(notificationEventOf(DeployEventType.LIVE, revision(RevisionTrigger.WEBHOOK), null)).toBe(NotificationEvent.REVISION_LIVE);
    expect(notificationEventOf(DeployEventType.LIVE, revision(RevisionTrigger.ROLLBACK), null)).toBe(NotificationEvent.REVISION_ROLLED_BACK);
    expect(notificationEventOf(DeployEventType.FAILED, revision(RevisionTrigger.MANUAL), 'x')).toBe(NotificationEvent.REVISION_FAILED);
    expect(notificationEventOf(DeployEventType.CANCELLED, revision(RevisionTrigger.MANUAL), null)).toBe(NotificationEvent.REVISION_CANCELLED);
    expect(notificationEventOf(DeployEventType.HELD, revision(RevisionTrigger.WEBHOOK), null)).toBe(NotificationEvent.REVISION_HELD);
    expect(notificationEventOf(DeployEventType.AWAITING_APPROVAL, revision(RevisionTrigger.PROMOTION), null)).toBe(NotificationEvent.REVISION_AWAITING_APPROVAL);
    expect(notificationEventOf(DeployEventType.APPROVED, revision(RevisionTrigger.PROMOTION), 'approved by rita (1/2)')).toBe(NotificationEvent.REVISION_APPROVED);
    expect(notificationEventOf(DeployEventType.REJECTED, revision(RevisionTrigger.PROMOTION), 'rejected by rita')).toBe(NotificationEvent.REVISION_REJECTED);
    expect(notificationEventOf(DeployEventType.HEALTH, revision(RevisionTrigger.WEBHOOK), 'Degraded: CrashLoopBackOff (1/1 pods crash-looping)')).toBe(NotificationEvent.APP_DEGRADED);
    expect(notificationEventOf(DeployEventType.HEALTH, revision(RevisionTrigger.WEBHOOK), 'Healthy')).toBeNull();
    expect(notificationEventOf(DeployEventType.HEALTH, revision(RevisionTrigger.WEBHOOK), 'Progressing: rollout')).toBeNull();
    expect(notificationEventOf(DeployEventType.REPAIRED, revision(RevisionTrigger.WEBHOOK), 'repaired: Deployment recreated')).toBe(NotificationEvent.APP_DRIFT_REPAIRED);
    for (const type of [DeployEventType.BUILDING, DeployEventType.ROLLING_OUT, DeployEventType.PROGRESS, DeployEventType.SUPERSEDED, DeployEventType.PINNED, DeployEventType.UNPINNED, DeployEventType.DRIFT, DeployEventType.WEBHOOK_SECRET_MISSING]) {
      expect(notificationEventOf(type, revision(RevisionTrigger.WEBHOOK), null), type).toBeNull();
    }
  });

  it('lists the documented types in order', () => {
    expect(NOTIFICATION_EVENTS).toEqual([
      'revision.queued',
      'revision.live',
      'revision.failed',
      'revision.rolled_back',
      'revision.cancelled',
      'revision.held',
      'revision.awaiting_approval',
      'revision.approved',
      'revision.rejected',
      'app.degraded',
      'app.drift_repaired',
    ]);
    expect(isNotificationEvent('revision.live')).toBe(true);
    expect(isNotificationEvent('revision.building')).toBe(false);
  });
});

describe('notification URLs', () => {
  it('take http(s) with a host; refuse other schemes, credentials, fragments and spaces', () => {
    expect(parseNotificationUrl('https://hooks.example.com/kipper?x=1')).toMatchObject({ ok: true });
    expect(parseNotificationUrl('http://receiver.example.com:8080/')).toMatchObject({ ok: true });
    for (const [url, problem] of [
      ['ftp://example.com/x', /http:\/\/ or https:\/\//],
      ['file:///etc/passwd', /http:\/\/ or https:\/\//],
      ['https://user:pw@example.com/', /credentials/],
      ['https://example.com/#x', /fragment/],
      ['https://exa mple.com/', /spaces/],
      ['not a url', /spaces|not a URL/],
      ['https:///x', /no host/],
    ] as const) {
      const parsed = parseNotificationUrl(url);
      expect(parsed.ok, url).toBe(false);
      if (!parsed.ok) expect(parsed.problem, url).toMatch(problem);
    }
  });

  it('refuse loopback, private, link-local and names resolving to them unless allowed', async () => {
    for (const host of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.0.1', '::1', 'fd00::1', 'localhost', 'api.localhost']) {
      expect(await notificationHostProblem(host, false), host).toMatch(/KIPPER_NOTIFY_ALLOW_PRIVATE=true/);
      expect(await notificationHostProblem(host, true), host).toBeNull();
    }
    const resolvesInside = (async () => [{ address: '10.0.0.7', family: 4 }]) as unknown as typeof import('node:dns/promises').lookup;
    expect(await notificationHostProblem('hooks.internal.example', false, resolvesInside)).toMatch(/10\.0\.0\.7/);
    const resolvesOutside = (async () => [{ address: '93.184.216.34', family: 4 }]) as unknown as typeof import('node:dns/promises').lookup;
    expect(await notificationHostProblem('hooks.example.com', false, resolvesOutside)).toBeNull();
  });

  it('are shown without the part that is a credential (Slack keeps it in the path) and without the query', () => {
    const url = (u: string) => new URL(u);
    expect(displayUrlOf(url('https://hooks.slack.com/services/T024/B0/abcdef'), NotificationChannelKind.SLACK)).toBe('https://hooks.slack.com/services/…');
    expect(displayUrlOf(url('https://ci.example.com/hooks/kipper'), NotificationChannelKind.WEBHOOK)).toBe('https://ci.example.com/hooks/kipper');
    expect(displayUrlOf(url('https://ci.example.com/a/b/c?token=x'), NotificationChannelKind.WEBHOOK)).toBe('https://ci.example.com/a/b/…?…');
    expect(displayUrlOf(url('http://127.0.0.1:9000/'), NotificationChannelKind.WEBHOOK)).toBe('http://127.0.0.1:9000/');
  });
});

const subject = (type: NotificationEvent, overrides: Partial<NotificationSubject['revision']> = {}, message: string | null = null): NotificationSubject => ({
  deliveryId: notificationDeliveryId('c', type, 'r', '2026-12-01T10:00:00.000Z'),
  type,
  at: '2026-12-01T10:00:00.000Z',
  project: 'shop',
  environment: 'test',
  app: { name: 'api', namespace: 'shop-test' },
  revision: {
    number: 12,
    status: RevisionStatus.LIVE,
    image: 'registry/api:abc',
    commit: null,
    trigger: RevisionTrigger.WEBHOOK,
    triggeredBy: 'alice',
    failureReason: null,
    ...overrides,
  },
  message,
  consoleUrl: 'https://kipper.example.com/#/projects/shop/apps/shop-test/api',
});

describe('notification payloads', () => {
  it('JSON: the documented fields', () => {
    const payload = notificationPayload(subject(NotificationEvent.REVISION_LIVE));
    expect(payload).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'revision.live',
      at: '2026-12-01T10:00:00.000Z',
      project: 'shop',
      environment: 'test',
      namespace: 'shop-test',
      app: 'api',
      revision: { number: 12, status: 'live', image: 'registry/api:abc', commit: null, trigger: 'webhook', triggeredBy: 'alice', failureReason: null },
      message: null,
      url: 'https://kipper.example.com/#/projects/shop/apps/shop-test/api',
    });
  });

  it('Slack: one readable line with a link, text escaped', () => {
    expect(slackPayload(subject(NotificationEvent.REVISION_LIVE)).text).toBe(
      ':white_check_mark: *api* revision #12 is live in *test* (registry/api:abc, by alice) <https://kipper.example.com/#/projects/shop/apps/shop-test/api|open>',
    );
    expect(slackPayload(subject(NotificationEvent.REVISION_FAILED, { status: RevisionStatus.FAILED, failureReason: 'ImagePullBackOff <x> & y' })).text).toMatch(
      /^:x: \*api\* revision #12 failed in \*test\*: ImagePullBackOff &lt;x&gt; &amp; y \(registry\/api:abc, by alice\) </,
    );
    expect(slackPayload(subject(NotificationEvent.APP_DEGRADED, {}, 'Degraded: CrashLoopBackOff')).text).toMatch(/^:warning: \*api\* is degraded in \*test\*: Degraded: CrashLoopBackOff/);
    for (const type of NOTIFICATION_EVENTS) expect(slackPayload(subject(type)).text).toMatch(/\*api\*.*<https:\/\/kipper\.example\.com\/.*\|open>$/);
  });

  it('delivery ids are stable per channel and event, different across them', () => {
    const at = '2026-12-01T10:00:00.000Z';
    expect(notificationDeliveryId('a', 'revision.live', 'r', at)).toBe(notificationDeliveryId('a', 'revision.live', 'r', at));
    expect(notificationDeliveryId('a', 'revision.live', 'r', at)).not.toBe(notificationDeliveryId('b', 'revision.live', 'r', at));
    expect(notificationDeliveryId('a', 'revision.live', 'r', at)).not.toBe(notificationDeliveryId('a', 'revision.queued', 'r', at));
  });
});

describe('X-Kipper-Signature-256', () => {
  const secret = 'f'.repeat(64);
  const body = '{"type":"revision.live"}';

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const header = notificationSignature(secret, body, 1_796_000_000);
    const expected = createHmac('sha256', secret).update(`1796000000.${body}`).digest('hex');
    expect(header).toBe(`t=1796000000,v1=${expected}`);
  });

  it('verifies within the tolerance; refuses old timestamps (replays), other bodies, other secrets and junk', () => {
    const now = 1_796_000_000;
    const header = notificationSignature(secret, body, now);
    expect(verifyNotificationSignature(secret, body, header, { now })).toBe(true);
    expect(verifyNotificationSignature(secret, Buffer.from(body), header, { now: now + 299 })).toBe(true);
    expect(verifyNotificationSignature(secret, body, header, { now: now + 301 })).toBe(false);
    expect(verifyNotificationSignature(secret, `${body} `, header, { now })).toBe(false);
    expect(verifyNotificationSignature('e'.repeat(64), body, header, { now })).toBe(false);
    // The timestamp is signed: moving it forward breaks the signature.
    expect(verifyNotificationSignature(secret, body, header.replace(`t=${now}`, `t=${now + 100}`), { now: now + 100 })).toBe(false);
    for (const junk of [undefined, '', 'v1=abc', `t=${now}`, `t=x,v1=${'0'.repeat(64)}`]) expect(verifyNotificationSignature(secret, body, junk, { now })).toBe(false);
  });
});
