import type { AppHealth, AppState, Revision } from '@kipper/client';

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

/** The word for a revision's status in the history: `current`, `failed`, `rolling out`, … (none for an earlier live one). */
function statusMarker(revision: RevisionState): string | undefined {
  if (revision.current) return 'current';
  switch (revision.status) {
    case 'LIVE':
      return undefined;
    case 'FAILED':
      return 'failed';
    case 'SUPERSEDED':
      return 'superseded';
    case 'QUEUED':
      return 'queued';
    case 'BUILDING':
      return 'building';
    case 'ROLLING_OUT':
      return 'rolling out';
    case 'HELD':
      return 'held';
    case 'CANCELLED':
      return 'cancelled';
    case 'AWAITING_APPROVAL':
      return 'awaiting approval';
    case 'REJECTED':
      return 'rejected';
  }
}

/**
 * What follows WHEN in the history: ` (current)`, ` (failed)`, ` (rolling out)`, ` (held)`, …;
 * the revision a rollback pinned the app to adds `pinned`: ` (current, pinned)`.
 */
export function revisionMarker(revision: RevisionState, pinned = false): string {
  const words = [statusMarker(revision), pinned ? 'pinned' : undefined].filter((w) => w !== undefined);
  return words.length > 0 ? ` (${words.join(', ')})` : '';
}

/**
 * An app's status in one word, as the console's project page shows it: the newest revision while
 * it is on its way, failed or held, else the current one's, else `not deployed`.
 */
export function appStatusWord(latest: Pick<Revision, 'status'> | null | undefined, current: Pick<Revision, 'status'> | null | undefined): string {
  if (latest && latest.status !== 'LIVE' && latest.status !== 'SUPERSEDED' && latest.status !== 'CANCELLED') return word(latest.status);
  if (current) return word(current.status);
  return 'not deployed';
}

/** When a revision's WHEN column counts from: when it went live or ended, else when it was asked for. */
export function revisionTime(revision: Pick<Revision, 'createdAt' | 'finishedAt'>): string {
  return revision.finishedAt ?? revision.createdAt;
}

export const HISTORY_HEADER = ['#', 'IMAGE', 'COMMIT', 'TRIGGER', 'WHEN'] as const;

/**
 * The deploy history table of the seed, newest first as the API answers it; `pinned` is the
 * number of the pinned revision. `wide` adds TRIGGERED BY (who or what asked for the revision)
 * before WHEN, which stays last: its markers are the one cell of varying length.
 */
export function historyTable(revisions: readonly Revision[], now: Date, pinned?: number | null, wide = false): string[] {
  const header = wide ? ['#', 'IMAGE', 'COMMIT', 'TRIGGER', 'TRIGGERED BY', 'DIGEST', 'PROMOTED FROM', 'WHEN'] : HISTORY_HEADER;
  return table(
    header,
    revisions.map((r) => [
      String(r.number),
      // A promotion runs `repo@sha256:…`; people know it by the tag it was promoted as.
      r.imageTag ?? r.image ?? '-',
      shortCommit(r.commit),
      word(r.trigger),
      ...(wide ? [r.triggeredBy, shortDigest(r.digest), promotedFromCell(r)] : []),
      `${relativeTime(revisionTime(r), now)}${revisionMarker(r, r.number === pinned)}`,
    ]),
  );
}

/** An absolute time for facts people quote (a pin): `2026-12-01 17:05:03 UTC`, as the API's messages write it. */
export function utcTime(at: string | Date): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return '-';
  return `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

const HEALTH_WORDS: Record<AppHealth['status'], string> = {
  HEALTHY: 'Healthy',
  PROGRESSING: 'Progressing',
  DEGRADED: 'Degraded',
  MISSING: 'Missing',
  SUSPENDED: 'Suspended',
};

/** A health status as Argo CD writes it: `Healthy`, `Degraded`, … */
export function healthWord(status: AppHealth['status']): string {
  return HEALTH_WORDS[status];
}

/** `Degraded (CrashLoopBackOff: 2/3 pods crash-looping)`, `Healthy`; `not observed yet` before the worker looked. */
export function healthLine(health: Pick<AppHealth, 'status' | 'reason' | 'message'> | null | undefined): string {
  if (!health) return 'not observed yet';
  // Kubernetes' own messages often name the reason already (`2/3 pods crash-looping (CrashLoopBackOff, …)`).
  const reason = health.reason && !health.message?.includes(health.reason) ? health.reason : null;
  const details = [reason, health.message].filter((d): d is string => !!d).join(': ');
  return details ? `${healthWord(health.status)} (${details})` : healthWord(health.status);
}

/** `Pinned to revision #4 by alice at 2026-12-01 17:05:03 UTC (kip app unpin api)`; undefined when not pinned. */
export function pinLine(name: string, pin: AppState['pin']): string | undefined {
  if (!pin) return undefined;
  return `Pinned to revision #${pin.revision.number} by ${pin.by} at ${utcTime(pin.at)} (kip app unpin ${name})`;
}

/** What `kip app rollback` adds unless --no-pin: what the pin means and how it ends. */
export function pinNotice(name: string, revision: number): string {
  return `${name} is pinned to revision #${revision}: webhooks and git pushes are held until kip app unpin ${name}.`;
}

function pods(n: number, what: string): string {
  return `${n} ${what} pod${n === 1 ? '' : 's'}`;
}

/**
 * Progress as it is: pods of the new ReplicaSet (updated, ready) and old pods still serving,
 * `Revision #4 rolling out: 1/3 updated, 0 ready, 3 old pods serving`.
 */
export function rolloutProgress(progress: NonNullable<Revision['progress']>): string {
  const old = progress.old > 0 ? `, ${pods(progress.old, 'old')} serving` : '';
  return `${progress.updated}/${progress.desired} updated, ${progress.ready} ready${old}`;
}

/** One line describing where a revision is, for `--wait` and `kip app status`. */
export function revisionProgress(revision: Pick<Revision, 'number' | 'status' | 'progress' | 'failureReason'> & { heldReason?: string | null }): string {
  const n = `Revision #${revision.number}`;
  switch (revision.status) {
    case 'QUEUED':
      return `${n} queued`;
    case 'BUILDING':
      return `${n} building`;
    case 'ROLLING_OUT': {
      const p = revision.progress;
      return p ? `${n} rolling out: ${rolloutProgress(p)}` : `${n} rolling out`;
    }
    case 'LIVE':
      return `${n} is live`;
    case 'FAILED':
      return `${n} failed${revision.failureReason ? `: ${revision.failureReason}` : ''}`;
    case 'SUPERSEDED':
      return `${n} was superseded${revision.failureReason ? ` (${revision.failureReason})` : ' by a newer revision'}`;
    case 'HELD':
      // The API's reason starts with `Revision #N is held:` and names the command that deploys it.
      return revision.heldReason ?? `${n} is held`;
    case 'CANCELLED':
      return `${n} was cancelled${revision.failureReason ? ` (${revision.failureReason})` : ''}`;
    case 'AWAITING_APPROVAL':
      return `${n} awaits approval (kip approvals; kip approve APP --revision ${revision.number})`;
    case 'REJECTED':
      return `${n} was rejected${revision.failureReason ? ` (${revision.failureReason})` : ''}`;
  }
}

export function isFinished(status: Revision['status']): boolean {
  return status === 'LIVE' || status === 'FAILED' || status === 'SUPERSEDED' || status === 'CANCELLED' || status === 'REJECTED';
}

/** Held or awaiting approval: nothing happens until a person acts, so `--wait` stops there (exit 0). */
export function waitsForPerson(status: Revision['status']): boolean {
  return status === 'HELD' || status === 'AWAITING_APPROVAL';
}

/** `sha256:3f2a9c1b7e4d` (12 hex digits), as `docker images` shortens digests; `-` when none was recorded. */
export function shortDigest(digest: string | null | undefined): string {
  return digest ? digest.slice(0, 'sha256:'.length + 12) : '-';
}

/** `test #12` for a promoted revision, `-` otherwise: where the bytes came from. */
export function promotedFromCell(r: Pick<Revision, 'promotedFrom'>): string {
  return r.promotedFrom ? `${r.promotedFrom.environment} #${r.promotedFrom.revision}` : '-';
}

/** A revision as `--output json` prints it: enums lower-case, everything else as the API says. */
export function revisionJson(r: Revision): Record<string, unknown> {
  return {
    number: r.number,
    image: r.image,
    imageTag: r.imageTag,
    digest: r.digest,
    commit: r.commit,
    trigger: jsonEnum(r.trigger),
    triggeredBy: r.triggeredBy,
    status: jsonEnum(r.status),
    current: r.current,
    failureReason: r.failureReason,
    heldReason: r.heldReason,
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
  gitlabCiWait: string;
  githubActionsWait: string;
}
export type SnippetKind = 'gitlab' | 'github' | 'none';

/**
 * The CI snippet block printed by `kip app webhook enable` (GitLab CI by default, as in the seed);
 * with `wait`, the variant whose job waits for the rollout and fails when it fails.
 */
export function snippetBlock(snippets: SnippetSet, kind: SnippetKind, wait = false, variant = ''): string[] {
  const waiting = `${variant}${wait ? ', waiting for the rollout' : ''}`;
  switch (kind) {
    case 'none':
      return [];
    case 'gitlab':
      return [`GitLab CI snippet (.gitlab-ci.yml)${waiting}:`, ...trimBlock(wait ? snippets.gitlabCiWait : snippets.gitlabCi)];
    case 'github':
      return [`GitHub Actions snippet (.github/workflows/deploy.yml)${waiting}:`, ...trimBlock(wait ? snippets.githubActionsWait : snippets.githubActions)];
  }
}

function trimBlock(text: string): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
}

/** A trusted CI identity, as `kip app webhook trust`, `untrust` and `status` print it. */
export function trustLines(trust: { issuer: string; subject: string; audience: string }): string[] {
  return [`issuer:   ${trust.issuer}`, `subject:  ${trust.subject}`, `audience: ${trust.audience}`];
}
