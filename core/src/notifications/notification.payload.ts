import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { App } from '../apps/app.entity.js';
import type { Revision, RevisionStatus, RevisionTrigger } from '../revisions/revision.entity.js';
import { NotificationEvent } from './notification-event.js';

/** The JSON body of a `webhook` channel's request (documented in docs/webhooks-and-ci-cd.md). */
export interface NotificationPayload {
  /** The delivery: the same for every attempt of this notification to this channel (`X-Kipper-Delivery`). */
  id: string;
  type: NotificationEvent;
  /** When the event happened (ISO 8601). */
  at: string;
  project: string;
  environment: string;
  namespace: string;
  app: string;
  revision: {
    number: number;
    /** The revision's status when the notification was sent (it may have moved on since the event). */
    status: RevisionStatus;
    image: string | null;
    commit: string | null;
    trigger: RevisionTrigger;
    triggeredBy: string;
    failureReason: string | null;
  };
  /** The event's own words: the health (`Degraded: CrashLoopBackOff (…)`), what was repaired, why it is held, … */
  message: string | null;
  /** The app in Kipper's console. */
  url: string;
}

export interface NotificationSubject {
  deliveryId: string;
  type: NotificationEvent;
  at: string;
  project: string;
  environment: string;
  app: Pick<App, 'name' | 'namespace'>;
  revision: Pick<Revision, 'number' | 'status' | 'image' | 'commit' | 'trigger' | 'triggeredBy' | 'failureReason'>;
  message: string | null;
  consoleUrl: string;
}

export function notificationPayload(s: NotificationSubject): NotificationPayload {
  return {
    id: s.deliveryId,
    type: s.type,
    at: s.at,
    project: s.project,
    environment: s.environment,
    namespace: s.app.namespace,
    app: s.app.name,
    revision: {
      number: s.revision.number,
      status: s.revision.status,
      image: s.revision.image,
      commit: s.revision.commit,
      trigger: s.revision.trigger,
      triggeredBy: s.revision.triggeredBy,
      failureReason: s.revision.failureReason,
    },
    message: s.message,
    url: s.consoleUrl,
  };
}

/** Slack's escaping of text: `&`, `<` and `>` (https://api.slack.com/reference/surfaces/formatting#escaping). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Slack-compatible body `{"text": "…"}`: one readable line, e.g.
 * `:white_check_mark: *api* revision #12 is live in *test* (registry/api:abc, by alice) <url|open>`.
 */
export function slackPayload(s: NotificationSubject): { text: string } {
  const app = `*${slackEscape(s.app.name)}*`;
  const env = `*${slackEscape(s.environment)}*`;
  const number = `#${s.revision.number}`;
  const what = [s.revision.image ?? (s.revision.commit ? `commit ${s.revision.commit.slice(0, 12)}` : null), `by ${s.revision.triggeredBy}`]
    .filter((part): part is string => part !== null)
    .map(slackEscape)
    .join(', ');
  const message = s.message ? slackEscape(s.message) : null;
  const reason = s.revision.failureReason ? slackEscape(s.revision.failureReason) : message;
  let line: string;
  switch (s.type) {
    case NotificationEvent.REVISION_QUEUED:
      line = `:hourglass_flowing_sand: ${app} revision ${number} is queued in ${env} (${what})`;
      break;
    case NotificationEvent.REVISION_LIVE:
      line = `:white_check_mark: ${app} revision ${number} is live in ${env} (${what})`;
      break;
    case NotificationEvent.REVISION_ROLLED_BACK:
      line = `:rewind: ${app} was rolled back in ${env}: revision ${number} is live (${what})`;
      break;
    case NotificationEvent.REVISION_FAILED:
      line = `:x: ${app} revision ${number} failed in ${env}${reason ? `: ${reason}` : ''} (${what})`;
      break;
    case NotificationEvent.REVISION_CANCELLED:
      line = `:no_entry_sign: ${app} revision ${number} was cancelled in ${env} (${what})`;
      break;
    case NotificationEvent.REVISION_HELD:
      line = `:pause_button: ${app} revision ${number} is held in ${env}${message ? `: ${message}` : ''} (${what})`;
      break;
    case NotificationEvent.REVISION_AWAITING_APPROVAL:
      line = `:raised_hand: ${app} revision ${number} awaits approval in ${env}${message ? `: ${message}` : ''} (${what})`;
      break;
    case NotificationEvent.REVISION_APPROVED:
      line = `:ballot_box_with_check: ${app} revision ${number} was approved in ${env}${message ? `: ${message}` : ''} (${what})`;
      break;
    case NotificationEvent.REVISION_REJECTED:
      line = `:no_entry: ${app} revision ${number} was rejected in ${env}${message ? `: ${message}` : ''} (${what})`;
      break;
    case NotificationEvent.APP_DEGRADED:
      line = `:warning: ${app} is degraded in ${env}${message ? `: ${message}` : ''} (revision ${number})`;
      break;
    case NotificationEvent.APP_DRIFT_REPAIRED:
      line = `:wrench: ${app} in ${env} was put back to its record${message ? `: ${message}` : ''} (revision ${number})`;
      break;
  }
  return { text: `${line} <${s.consoleUrl}|open>` };
}

/** `X-Kipper-Signature-256`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the channel's signing secret. */
export const SIGNATURE_HEADER = 'X-Kipper-Signature-256';
export const EVENT_HEADER = 'X-Kipper-Event';
export const DELIVERY_HEADER = 'X-Kipper-Delivery';

export function notificationSignature(secret: string, body: string | Buffer, timestamp: number): string {
  const t = Math.floor(timestamp);
  const mac = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return `t=${t},v1=${mac}`;
}

/**
 * What a receiver does (and what the docs show): the header's `v1` must be the HMAC of
 * `"<t>.<raw body>"` and `t` within `toleranceSeconds` of now, so an old request replayed later
 * is refused. Constant-time comparison; any `v1` may match (room for a key rotation).
 */
export function verifyNotificationSignature(
  secret: string,
  body: string | Buffer,
  header: string | undefined,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('=') as [string, string | undefined]);
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
  if (!Number.isInteger(t) || signatures.length === 0) return false;
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(notificationSignature(secret, body, t).split('v1=')[1]!, 'hex');
  return signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The delivery id of one notification to one channel: derived from the channel and the event
 * (type, revision, time), so every retry of it carries the same id, as a UUID.
 */
export function notificationDeliveryId(channelId: string, type: string, revisionId: string, at: string): string {
  const hex = createHash('sha256').update(`${channelId}\n${type}\n${revisionId}\n${at}`).digest('hex');
  // Version 5-like layout (name-based, SHA hash), so it passes as a UUID everywhere.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
