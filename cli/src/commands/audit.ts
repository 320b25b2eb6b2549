import { AuditLogQuery, type AuditEntry } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../action.js';
import { UsageError } from '../errors.js';
import { relativeTime, table } from '../format.js';
import { appRef, parseIntOption, withOutput } from '../options.js';

/** The API's largest page; `--limit` beyond it is fetched page after page. */
const PAGE_MAX = 500;
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

interface AuditOptions {
  project?: string;
  app?: string;
  environment?: string;
  namespace?: string;
  actor?: string;
  action?: string;
  since?: string;
  limit: number;
  after?: string;
}

/** `kip audit`: who changed what, newest first. */
export function auditCommand(program: Command, state: RunState): Command {
  return withOutput(
    program
      .command('audit')
      .description('who changed what, newest first (the audit log)')
      .option('-p, --project <project>', 'only entries of this project')
      .option('--app <app>', 'only entries of this app (with --project, --environment or --namespace when the name is not unique)')
      .option('-e, --environment <environment>', 'environment of --app (with --project)')
      .option('-n, --namespace <namespace>', 'namespace of --app, e.g. shop-test')
      .option('--actor <name>', 'only what this actor did: a person, token:NAME, ci:SUBJECT, webhook:SOURCE or kipper')
      .option('--action <action>', 'an action (app.configure) or a prefix ending with . or * (revision.)')
      .option('--since <when>', 'only entries since: 30m, 24h, 7d, 2w, or a time (2026-12-01T08:00:00Z)')
      .option('--limit <n>', 'how many entries to show', parseIntOption('--limit', 1), 50)
      .option('--after <cursor>', 'continue after the last entry of an earlier run (its next cursor)'),
  ).action(
    action(state, async (ctx, opts: AuditOptions) => {
      const since = opts.since === undefined ? null : parseSince(opts.since, ctx.now());
      const app = opts.app ? appRef(opts.app, opts) : null;
      const client = await ctx.client();
      const entries: AuditEntry[] = [];
      let after = opts.after ?? null;
      let more: boolean;
      // Page after page until --limit entries (the API pages at most PAGE_MAX at a time).
      do {
        const first = Math.min(opts.limit - entries.length, PAGE_MAX);
        const page = (
          await client.request(AuditLogQuery, { project: opts.project ?? null, app, actor: opts.actor ?? null, action: opts.action ?? null, since, first, after })
        ).auditLog;
        entries.push(...page.entries);
        more = page.pageInfo.hasNextPage;
        after = page.pageInfo.endCursor;
      } while (more && entries.length < opts.limit);
      const next = more ? after : null;
      if (entries.length === 0) {
        ctx.out.line('No audit entries match.');
      } else {
        const now = ctx.now();
        const rows = entries.map((e) => [relativeTime(e.at, now), e.actor, e.action, e.target, detailsSummary(e.details), e.sourceAddress ?? '-']);
        for (const line of table(['WHEN', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS', 'SOURCE'], rows)) ctx.out.line(line);
        if (next) ctx.out.line(`More entries: add --after ${next}`);
      }
      ctx.out.result({ entries: entries.map(entryJson), nextCursor: next });
    }),
  );
}

/** `24h`, `7d`, `30m`, `2w`, `45s` before now, or an ISO time. */
export function parseSince(value: string, now: Date): string {
  const relative = /^(\d{1,6})([smhdw])$/.exec(value.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? new Date(value.trim()) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--since must be a duration (30m, 24h, 7d, 2w) or a time (2026-12-01T08:00:00Z), got ${JSON.stringify(value)}.`);
  return at.toISOString();
}

/** A line's worth of what changed: `autoRollback: true → false`, else `key=value …`. */
export function detailsSummary(json: string): string {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return '';
  }
  const before = details.before as Record<string, unknown> | undefined;
  const after = details.after as Record<string, unknown> | undefined;
  let text: string;
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    text = keys.map((key) => `${key}: ${show(before[key])} → ${show(after[key])}`).join(', ');
  } else {
    text = Object.entries(details)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => `${key}=${show(value)}`)
      .join(' ');
  }
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function entryJson(e: AuditEntry) {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    actorKind: e.actorKind.toLowerCase(),
    action: e.action,
    target: e.target,
    project: e.project?.name ?? null,
    app: e.app ? `${e.app.namespace}/${e.app.name}` : null,
    details: JSON.parse(e.details) as unknown,
    sourceAddress: e.sourceAddress,
    requestId: e.requestId,
  };
}
