import type { Revision } from '@kipper/client';

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
};

export function statusText(status: Revision['status']): string {
  return statusWords[status];
}

export function inProgress(status: Revision['status']): boolean {
  return status === 'QUEUED' || status === 'BUILDING' || status === 'ROLLING_OUT';
}

export function lower(value: string): string {
  return value.toLowerCase().replace(/_/g, ' ');
}
