import type { AppHealth, HealthStatus, Revision } from '@kipper/client';

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "2 min ago", "1 hour ago", like `kip app history`. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  for (const [unit, size] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${unit === 'minute' ? 'min' : n === 1 ? unit : `${unit}s`} ago`;
    }
  }
  return 'just now';
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 7) : '';
}

const statusWords: Record<Revision['status'], string> = {
  QUEUED: 'queued',
  BUILDING: 'building',
  ROLLING_OUT: 'rolling out',
  LIVE: 'live',
  FAILED: 'failed',
  SUPERSEDED: 'superseded',
  HELD: 'held',
  CANCELLED: 'cancelled',
  AWAITING_APPROVAL: 'awaiting approval',
  REJECTED: 'rejected',
};

export function statusText(status: Revision['status']): string {
  return statusWords[status];
}

export function inProgress(status: Revision['status']): boolean {
  return status === 'QUEUED' || status === 'BUILDING' || status === 'ROLLING_OUT';
}

/**
 * How far along the state machine a status is (held → queued → building → rolling out →
 * final), so that a late or replayed event never moves a revision backwards. A held revision
 * may still be queued (unpin); a final one never moves again.
 */
export function statusRank(status: Revision['status']): number {
  switch (status) {
    case 'HELD':
    case 'AWAITING_APPROVAL':
      return 0;
    case 'QUEUED':
      return 1;
    case 'BUILDING':
      return 2;
    case 'ROLLING_OUT':
      return 3;
    case 'LIVE':
    case 'FAILED':
    case 'SUPERSEDED':
    case 'CANCELLED':
    case 'REJECTED':
      return 4;
  }
}

/** Whether `next` may replace `known` for the same revision (never backwards). */
export function movesForward(known: Revision['status'], next: Revision['status']): boolean {
  return statusRank(next) >= statusRank(known);
}

/** `sha256:3f2a9c1b7e4d` (12 hex digits); the full digest goes in the title. */
export function shortDigest(digest: string | null | undefined): string {
  return digest ? digest.slice(0, 'sha256:'.length + 12) : '—';
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A rollout as it is: the new ReplicaSet's pods (updated, ready among them) and the old pods
 * that still serve, e.g. "1/3 updated, 0 ready, 3 old pods serving".
 */
export function progressText(progress: { updated: number; ready: number; desired: number; old?: number | null }): string {
  const parts = [`${progress.updated}/${progress.desired} updated`, `${progress.ready} ready`];
  if (progress.old) parts.push(`${count(progress.old, 'old pod', 'old pods')} serving`);
  return parts.join(', ');
}

export function lower(value: string): string {
  return value.toLowerCase().replace(/_/g, ' ');
}

const healthWords: Record<HealthStatus, string> = {
  HEALTHY: 'Healthy',
  PROGRESSING: 'Progressing',
  DEGRADED: 'Degraded',
  MISSING: 'Missing',
  SUSPENDED: 'Suspended',
};

/** The health badge: "Healthy", "Degraded: CrashLoopBackOff"; the reason only where it says what is wrong. */
export function healthText(health: Pick<AppHealth, 'status' | 'reason'>): string {
  const word = healthWords[health.status];
  return health.status === 'DEGRADED' && health.reason ? `${word}: ${health.reason}` : word;
}

/** The newer of two observations of the same app's health (a late event never undoes a newer one). */
export function newerHealth<H extends Pick<AppHealth, 'since'>>(known: H | null | undefined, next: H | null | undefined): H | null {
  if (!next) return known ?? null;
  if (!known) return next;
  return Date.parse(next.since) >= Date.parse(known.since) ? next : known;
}

/** One line of what an audit entry changed: `autoRollback: true → false`, else `key=value …`. */
export function auditSummary(json: string): string {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return '';
  }
  const show = (value: unknown) => (value === undefined || value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value));
  const { before, after } = details as { before?: Record<string, unknown>; after?: Record<string, unknown> };
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.map((key) => `${key}: ${show(before[key])} → ${show(after[key])}`).join(', ');
  }
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${show(value)}`)
    .join(' ');
}
