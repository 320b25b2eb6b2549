import type { DataSource, EntityManager } from 'typeorm';
import { actorKindOf } from '../access/principal.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { AuditEntry } from './audit-entry.entity.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit.cursor.js';
import { currentRequestScope } from './request-scope.js';

/**
 * What an entry is about: its label (`namespace/app` or a project name) and the ids it is found
 * by. A caller that passes only the label gets the ids resolved from it (an app `namespace/app`,
 * else a project of that name) in the same statement; passing them is exact and survives a
 * label that no longer resolves (an app deleted in the same transaction).
 */
export interface AuditTarget {
  label: string;
  projectId: string | null;
  appId?: string | null;
}

export function appTarget(app: { namespace: string; name: string; id: string; projectId: string }): AuditTarget {
  return { label: `${app.namespace}/${app.name}`, projectId: app.projectId, appId: app.id };
}

export function projectTarget(project: { name: string; id: string }): AuditTarget {
  return { label: project.name, projectId: project.id, appId: null };
}

/** Filters of `query`; absent ones do not filter. */
export interface AuditQuery {
  projectId?: string | null;
  appId?: string | null;
  actor?: string | null;
  /** Exact (`app.configure`), or a prefix ending with `.` or `*` (`revision.`, `webhook.*`). */
  action?: string | null;
  since?: Date | null;
  /** Default 50, at most 500. */
  first?: number | null;
  /** The `endCursor` of the previous page. */
  after?: string | null;
  /** Projects the caller may see (`'all'`: also entries about no project, for instance admins). */
  visibleProjectIds?: readonly string[] | 'all';
}

export interface AuditPage {
  entries: AuditEntry[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const ACTION_FILTER = /^[A-Za-z0-9_.:-]{1,100}[.*]?$/;
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 500;

/**
 * Resolves the ids of a label-only target in the INSERT itself (no extra round trip), and takes
 * the request's id and caller address from the request scope: every path that records (GraphQL,
 * webhook, worker) gets them without passing them down.
 */
const INSERT_ENTRY = `
  INSERT INTO audit_entry (actor, actor_kind, action, target, details, source_address, request_id, project_id, app_id)
  SELECT $1, $2, $3, $4, $5::jsonb, $6, $7,
         CASE WHEN $10::boolean THEN coalesce(a.project_id, p.id) ELSE $8::uuid END,
         CASE WHEN $10::boolean THEN a.id ELSE $9::uuid END
  FROM (SELECT 1) AS one
  LEFT JOIN app a ON $10::boolean AND a.namespace = split_part($4, '/', 1) AND a.name = split_part($4, '/', 2) AND strpos($4, '/') > 0
  LEFT JOIN project p ON $10::boolean AND p.name = $4
  RETURNING id, at`;

/** Who changed what. `manager` lets a caller record inside its own transaction. */
export class AuditService {
  constructor(private readonly deps: { dataSource: DataSource }) {}

  async record(
    actor: string,
    action: string,
    target: string | AuditTarget,
    details: Record<string, unknown> = {},
    manager?: EntityManager,
  ): Promise<AuditEntry> {
    const scope = currentRequestScope();
    const explicit = typeof target === 'string' ? null : target;
    const label = typeof target === 'string' ? target : target.label;
    const actorKind = actorKindOf(actor);
    const values = {
      actor,
      actorKind,
      action,
      target: label,
      details,
      sourceAddress: scope?.sourceAddress ?? null,
      requestId: scope?.requestId ?? null,
      projectId: explicit?.projectId ?? null,
      appId: explicit?.appId ?? null,
    };
    const rows = (await (manager ?? this.deps.dataSource.manager).query(INSERT_ENTRY, [
      actor,
      actorKind,
      action,
      label,
      JSON.stringify(details),
      values.sourceAddress,
      values.requestId,
      values.projectId,
      values.appId,
      explicit === null,
    ])) as { id: string; at: Date }[];
    return Object.assign(new AuditEntry(), values, rows[0]);
  }

  /** Newest first, `first` at a time; `endCursor` continues where a page stopped. */
  async query(filter: AuditQuery = {}): Promise<AuditPage> {
    const first = auditPageSize(filter.first);
    const qb = this.deps.dataSource.getRepository(AuditEntry).createQueryBuilder('e');
    const visible = filter.visibleProjectIds ?? 'all';
    if (visible !== 'all') {
      if (visible.length === 0) return { entries: [], hasNextPage: false, endCursor: null };
      qb.andWhere('e.project_id IN (:...visible)', { visible });
    }
    if (filter.projectId) qb.andWhere('e.project_id = :projectId', { projectId: filter.projectId });
    if (filter.appId) qb.andWhere('e.app_id = :appId', { appId: filter.appId });
    if (filter.actor) qb.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.action) {
      const action = filter.action;
      if (!ACTION_FILTER.test(action)) {
        throw new KipperError(ErrorCode.VALIDATION_FAILED, `action must be an action name (app.configure) or a prefix (revision. or revision.*), got ${JSON.stringify(action)}`, { field: 'action' });
      }
      if (action.endsWith('.') || action.endsWith('*')) {
        const prefix = action.endsWith('*') ? action.slice(0, -1) : action;
        qb.andWhere(`e.action LIKE :prefix ESCAPE '\\'`, { prefix: `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
      } else qb.andWhere('e.action = :action', { action });
    }
    if (filter.since) {
      if (Number.isNaN(filter.since.getTime())) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'since must be a valid time', { field: 'since' });
      qb.andWhere('e.at >= :since', { since: filter.since });
    }
    if (filter.after) {
      const cursor = decodeAuditCursor(filter.after);
      qb.andWhere('(e.at, e.id) < (:afterAt::timestamptz, :afterId::uuid)', { afterAt: cursor.at, afterId: cursor.id });
    }
    // The cursor keeps PostgreSQL's microseconds: a JavaScript Date would round them away and
    // skip or repeat entries recorded within the same millisecond.
    qb.addSelect(`to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at')
      .orderBy('e.at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(first + 1);
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_at: string; e_id: string }>();
    const entries = entities.slice(0, first);
    const last = raw[entries.length - 1];
    return {
      entries,
      hasNextPage: entities.length > first,
      endCursor: last && entries.length > 0 ? encodeAuditCursor({ at: last.cursor_at, id: last.e_id }) : null,
    };
  }

  /** Newest first (kept for callers of the first version; `query` pages and filters). */
  async recent(options: { target?: string; first?: number } = {}): Promise<AuditEntry[]> {
    return this.deps.dataSource.getRepository(AuditEntry).find({
      where: options.target ? { target: options.target } : {},
      order: { at: 'DESC' },
      take: Math.min(Math.max(options.first ?? 50, 1), 500),
    });
  }
}

export function auditPageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return AUDIT_PAGE_DEFAULT;
  if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE_MAX) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, `first must be from 1 to ${AUDIT_PAGE_MAX}, got ${first}`, { field: 'first' });
  }
  return first;
}
