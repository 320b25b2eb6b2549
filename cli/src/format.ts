import type { Revision } from '@kipper/client';

/** `just now`, `2 min ago`, `1 hour ago`, `3 hours ago`, `2 days ago`, `3 months ago`, `1 year ago`. */
export function relativeTime(at: string | Date, now: Date): string {
  const then = typeof at === 'string' ? new Date(at) : at;
  const seconds = Math.floor((now.getTime() - then.getTime()) / 1000);
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 30) return plural(days, 'day');
  if (days < 365) return plural(Math.floor(days / 30), 'month');
  return plural(Math.floor(days / 365), 'year');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** GraphQL enum value to the word users see: `ROLLING_OUT` → `rolling out`, `WEBHOOK` → `webhook`. */
export function word(value: string): string {
  return value.toLowerCase().replace(/_/g, ' ');
}

/** GraphQL enum value to the JSON value: `ROLLING_OUT` → `rolling_out`. */
export function jsonEnum(value: string): string {
  return value.toLowerCase();
}

/** Full commit SHAs are shortened to 7 characters in tables, as `git log --oneline` does. */
export function shortCommit(commit: string | null | undefined): string {
  if (!commit) return '-';
  return /^[0-9a-f]{12,}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

/**
 * Columns separated by two spaces, each padded to its widest cell; the last column is not
 * padded so lines carry no trailing spaces.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)];
}

type RevisionState = Pick<Revision, 'status' | 'current' | 'progress'>;

/** What follows WHEN in the history: ` (current)`, ` (failed)`, ` (rolling out)`, … */
export function revisionMarker(revision: RevisionState): string {
  if (revision.current) return ' (current)';
  switch (revision.status) {
    case 'LIVE':
      return '';
    case 'FAILED':
      return ' (failed)';
    case 'SUPERSEDED':
      return ' (superseded)';
    case 'QUEUED':
      return ' (queued)';
    case 'BUILDING':
      return ' (building)';
    case 'ROLLING_OUT':
      return ' (rolling out)';
    case 'HELD':
      return ' (held)';
    case 'CANCELLED':
      return ' (cancelled)';
  }
}

export const HISTORY_HEADER = ['#', 'IMAGE', 'COMMIT', 'TRIGGER', 'WHEN'] as const;

/** The deploy history table of the seed, newest first as the API answers it. */
export function historyTable(revisions: readonly Revision[], now: Date): string[] {
  return table(
    HISTORY_HEADER,
    revisions.map((r) => [
      String(r.number),
      r.image ?? '-',
      shortCommit(r.commit),
      word(r.trigger),
      `${relativeTime(r.createdAt, now)}${revisionMarker(r)}`,
    ]),
  );
}

/** One line describing where a revision is, for `--wait` and `kip app status`. */
export function revisionProgress(revision: Pick<Revision, 'number' | 'status' | 'progress' | 'failureReason'>): string {
  const n = `Revision #${revision.number}`;
  switch (revision.status) {
    case 'QUEUED':
      return `${n} queued`;
    case 'BUILDING':
      return `${n} building`;
    case 'ROLLING_OUT': {
      const p = revision.progress;
      return p ? `${n} rolling out: ${p.ready}/${p.desired} ready` : `${n} rolling out`;
    }
    case 'LIVE':
      return `${n} is live`;
    case 'FAILED':
      return `${n} failed${revision.failureReason ? `: ${revision.failureReason}` : ''}`;
    case 'SUPERSEDED':
      return `${n} was superseded${revision.failureReason ? ` (${revision.failureReason})` : ' by a newer revision'}`;
    case 'HELD':
      return `${n} is held`;
    case 'CANCELLED':
      return `${n} was cancelled${revision.failureReason ? ` (${revision.failureReason})` : ''}`;
  }
}

export function isFinished(status: Revision['status']): boolean {
  return status === 'LIVE' || status === 'FAILED' || status === 'SUPERSEDED' || status === 'CANCELLED';
}

/** A revision as `--output json` prints it: enums lower-case, everything else as the API says. */
export function revisionJson(r: Revision): Record<string, unknown> {
  return {
    number: r.number,
    image: r.image,
    commit: r.commit,
    trigger: jsonEnum(r.trigger),
    triggeredBy: r.triggeredBy,
    status: jsonEnum(r.status),
    current: r.current,
    failureReason: r.failureReason,
    rollbackTo: r.rollbackTo,
    promotedFrom: r.promotedFrom,
    progress: r.progress,
    build: r.build ? { ...r.build, status: jsonEnum(r.build.status) } : null,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export interface SnippetSet {
  gitlabCi: string;
  githubActions: string;
}
export type SnippetKind = 'gitlab' | 'github' | 'none';

/** The CI snippet block printed by `kip app webhook enable` (GitLab CI by default, as in the seed). */
export function snippetBlock(snippets: SnippetSet, kind: SnippetKind): string[] {
  switch (kind) {
    case 'none':
      return [];
    case 'gitlab':
      return ['GitLab CI snippet (.gitlab-ci.yml):', ...trimBlock(snippets.gitlabCi)];
    case 'github':
      return ['GitHub Actions snippet (.github/workflows/deploy.yml):', ...trimBlock(snippets.githubActions)];
  }
}

function trimBlock(text: string): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
}
