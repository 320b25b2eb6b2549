import type { NotificationChannel, NotificationDelivery, NotificationEventType } from '@kipper/client';
import { InvalidArgumentError } from 'commander';
import { relativeTime } from '../../format.js';

/**
 * Every event type of the schema, in the documented order. A record over the schema's enum, so a
 * type added to or removed from the API stops this compiling until the CLI knows it.
 */
const EVENT_ORDER: Record<NotificationEventType, number> = {
  REVISION_QUEUED: 0,
  REVISION_LIVE: 1,
  REVISION_FAILED: 2,
  REVISION_ROLLED_BACK: 3,
  REVISION_CANCELLED: 4,
  REVISION_HELD: 5,
  REVISION_AWAITING_APPROVAL: 6,
  REVISION_APPROVED: 7,
  REVISION_REJECTED: 8,
  APP_DEGRADED: 9,
  APP_DRIFT_REPAIRED: 10,
};
export const NOTIFICATION_EVENT_TYPES = (Object.keys(EVENT_ORDER) as NotificationEventType[]).sort((a, b) => EVENT_ORDER[a] - EVENT_ORDER[b]);

/** The payload's name of an event type: `REVISION_ROLLED_BACK` → `revision.rolled_back`. */
export function eventName(type: NotificationEventType): string {
  return type.toLowerCase().replace('_', '.');
}

/** `--events revision.live,revision.failed` (or the GraphQL names) → the schema's values. */
export function parseEvents(value: string): NotificationEventType[] {
  const names = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('give at least one event type.');
  return names.map((name) => {
    const type = NOTIFICATION_EVENT_TYPES.find((t) => t === name.toUpperCase().replace('.', '_'));
    if (!type) throw new InvalidArgumentError(`unknown event type ${name}: use ${NOTIFICATION_EVENT_TYPES.map(eventName).join(', ')}.`);
    return type;
  });
}

/** `all` when a channel gets every type, else their names. */
export function eventsText(events: readonly NotificationEventType[]): string {
  return events.length === NOTIFICATION_EVENT_TYPES.length ? 'all' : events.map(eventName).join(',');
}

/** `project shop` or `app api (shop-test)`. */
export function scopeText(channel: Pick<NotificationChannel, 'project' | 'app'>): string {
  return channel.app ? `app ${channel.app.name} (${channel.app.namespace})` : `project ${channel.project.name}`;
}

/** `delivered 200`, `retrying 500`, `failed: connection refused (nothing listening)`. */
export function deliveryText(d: Pick<NotificationDelivery, 'outcome' | 'statusCode' | 'error'>): string {
  const outcome = d.outcome.toLowerCase();
  if (d.statusCode !== null) return `${outcome} ${d.statusCode}`;
  return d.error ? `${outcome}: ${d.error}` : outcome;
}

export function lastDeliveryText(deliveries: readonly Pick<NotificationDelivery, 'outcome' | 'statusCode' | 'error' | 'at'>[], now: Date): string {
  const last = deliveries[0];
  return last ? `${deliveryText(last)}, ${relativeTime(last.at, now)}` : '-';
}

export function channelJson(c: NotificationChannel): Record<string, unknown> {
  return {
    id: c.id,
    kind: c.kind.toLowerCase(),
    project: c.project.name,
    app: c.app ? { name: c.app.name, namespace: c.app.namespace } : null,
    url: c.url,
    events: c.events.map(eventName),
    enabled: c.enabled,
    createdBy: c.createdBy,
    createdAt: c.createdAt,
  };
}

export function deliveryJson(d: NotificationDelivery): Record<string, unknown> {
  return {
    id: d.id,
    channel: d.channelId,
    delivery: d.deliveryId,
    event: eventName(d.event),
    revision: d.revision?.number ?? null,
    attempt: d.attempt,
    outcome: d.outcome.toLowerCase(),
    statusCode: d.statusCode,
    error: d.error,
    latencyMs: d.latencyMs,
    response: d.responseExcerpt,
    at: d.at,
  };
}
