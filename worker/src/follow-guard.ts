import { DeployPolicy, RevisionStatus, type App, type Revision } from '@kipper/core';
import type { DataSource } from 'typeorm';
import { AppGoneError } from './errors.js';

/** How often a build or rollout being followed checks that it is still wanted. */
export const FOLLOW_CHECK_MS = 500;

/**
 * Why a follow stopped before the cluster decided it: a newer queued revision preempts it
 * (deploy policy `latest`), or its revision was moved on by someone else (a person cancelled it).
 * An app deleted meanwhile is AppGoneError instead.
 */
export class FollowStopped extends Error {
  override name = 'FollowStopped';
  constructor(
    readonly why: { kind: 'preempted'; newestId: string } | { kind: 'moved'; status: RevisionStatus },
  ) {
    super(why.kind === 'preempted' ? 'a newer revision is queued' : `the revision is ${why.status} now`);
  }
}

/**
 * One cheap query for every follow of this process at once: for each revision followed, is its
 * app still there, is it still building / rolling out, and (deploy policy `latest`) is a newer
 * revision queued behind it? A revision missing from the answer lost its app (the delete
 * cascades). Held revisions wait for unpin and never preempt.
 */
const CHECK_SQL = `
  SELECT r.id AS "revisionId", r.status, a.deploy_policy AS "deployPolicy",
    (SELECT n.id FROM revision n
      WHERE n.app_id = a.id AND n.number > r.number AND n.status = $2
      ORDER BY n.number DESC LIMIT 1) AS "newestId"
  FROM revision r JOIN app a ON a.id = r.app_id
  WHERE r.id = ANY($1::uuid[])`;

type CheckRow = { revisionId: string; status: RevisionStatus; deployPolicy: DeployPolicy; newestId: string | null };

type Followed = Pick<Revision, 'id'> & { app: Pick<App, 'namespace' | 'name'> };

async function verdicts(db: DataSource, followed: Followed[]): Promise<Map<string, AppGoneError | FollowStopped | null>> {
  const rows = (await db.query(CHECK_SQL, [followed.map((f) => f.id), RevisionStatus.QUEUED])) as CheckRow[];
  const byId = new Map(rows.map((row) => [row.revisionId, row]));
  return new Map(followed.map((f) => [f.id, verdictOf(f, byId.get(f.id))]));
}

function verdictOf(followed: Followed, row: CheckRow | undefined): AppGoneError | FollowStopped | null {
  if (!row) return new AppGoneError(`app ${followed.app.namespace}/${followed.app.name} was deleted`);
  if (row.status !== RevisionStatus.BUILDING && row.status !== RevisionStatus.ROLLING_OUT) {
    return new FollowStopped({ kind: 'moved', status: row.status });
  }
  if (row.deployPolicy === DeployPolicy.LATEST && row.newestId) return new FollowStopped({ kind: 'preempted', newestId: row.newestId });
  return null;
}

/** Why the follow of `revision` should stop now, or null while it is still wanted. */
export async function followVerdict(db: DataSource, app: App, revision: Revision): Promise<AppGoneError | FollowStopped | null> {
  return (await verdicts(db, [{ id: revision.id, app }])).get(revision.id) ?? null;
}

/**
 * The follows of one process (one per DataSource), checked together every FOLLOW_CHECK_MS with
 * one query: a worker following two hundred rollouts asks PostgreSQL twice a second, not four
 * hundred times.
 */
class FollowChecks {
  private readonly follows = new Map<symbol, Followed & { stop: AbortController }>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(private readonly db: DataSource) {}

  add(app: App, revision: Revision, stop: AbortController): () => void {
    const key = Symbol(revision.id);
    this.follows.set(key, { id: revision.id, app, stop });
    this.timer ??= setInterval(() => void this.check(), FOLLOW_CHECK_MS);
    return () => {
      this.follows.delete(key);
      if (this.follows.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    const followed = [...this.follows.values()].filter((f) => !f.stop.signal.aborted);
    if (followed.length === 0) return;
    this.checking = true;
    try {
      const found = await verdicts(this.db, followed);
      for (const f of followed) {
        const verdict = found.get(f.id);
        if (verdict) f.stop.abort(verdict);
      }
    } catch {
      // the database is the follow's business, not the check's
    } finally {
      this.checking = false;
    }
  }
}

const checksOf = new WeakMap<DataSource, FollowChecks>();

/**
 * Runs a follow (build or rollout) with a signal that also aborts when the follow is no longer
 * wanted (checked every FOLLOW_CHECK_MS, see FollowChecks); then that reason is thrown
 * instead of the follow's result. Only a preemption lets a follow that had already finished
 * count (a rollout that went live is live; the newer revision comes next).
 */
export async function whileWanted<T>(
  db: DataSource,
  app: App,
  revision: Revision,
  signal: AbortSignal,
  follow: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  let checks = checksOf.get(db);
  if (!checks) checksOf.set(db, (checks = new FollowChecks(db)));
  const remove = checks.add(app, revision, stop);
  try {
    const result = await follow(AbortSignal.any([signal, stop.signal]));
    const reason: unknown = stop.signal.reason;
    if (stop.signal.aborted && !(reason instanceof FollowStopped && reason.why.kind === 'preempted')) throw reason as Error;
    return result;
  } catch (error) {
    if (stop.signal.aborted && !signal.aborted) throw stop.signal.reason as Error;
    throw error;
  } finally {
    remove();
  }
}
