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
 * One cheap query: does the app still exist, is the revision still building / rolling out, and
 * (deploy policy `latest`) is a newer revision queued behind it? Held revisions wait for unpin
 * and never preempt.
 */
const CHECK_SQL = `
  SELECT r.status, a.deploy_policy AS "deployPolicy",
    (SELECT n.id FROM revision n
      WHERE n.app_id = a.id AND n.number > r.number AND n.status = $3
      ORDER BY n.number DESC LIMIT 1) AS "newestId"
  FROM app a JOIN revision r ON r.id = $2 AND r.app_id = a.id
  WHERE a.id = $1`;

type CheckRow = { status: RevisionStatus; deployPolicy: DeployPolicy; newestId: string | null };

/** Why the follow of `revision` should stop now, or null while it is still wanted. */
export async function followVerdict(db: DataSource, app: App, revision: Revision): Promise<AppGoneError | FollowStopped | null> {
  const rows = (await db.query(CHECK_SQL, [app.id, revision.id, RevisionStatus.QUEUED])) as CheckRow[];
  const row = rows[0];
  if (!row) return new AppGoneError(`app ${app.namespace}/${app.name} was deleted`);
  if (row.status !== RevisionStatus.BUILDING && row.status !== RevisionStatus.ROLLING_OUT) {
    return new FollowStopped({ kind: 'moved', status: row.status });
  }
  if (row.deployPolicy === DeployPolicy.LATEST && row.newestId) return new FollowStopped({ kind: 'preempted', newestId: row.newestId });
  return null;
}

/**
 * Runs a follow (build or rollout) with a signal that also aborts when the follow is no longer
 * wanted (checked every FOLLOW_CHECK_MS, see followVerdict); then that reason is thrown
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
  let checking = false;
  const timer = setInterval(() => {
    if (checking || stop.signal.aborted) return;
    checking = true;
    followVerdict(db, app, revision)
      .then((verdict) => {
        if (verdict) stop.abort(verdict);
      })
      .catch(() => undefined) // the database is the follow's business, not the check's
      .finally(() => (checking = false));
  }, FOLLOW_CHECK_MS);
  try {
    const result = await follow(AbortSignal.any([signal, stop.signal]));
    const reason: unknown = stop.signal.reason;
    if (stop.signal.aborted && !(reason instanceof FollowStopped && reason.why.kind === 'preempted')) throw reason as Error;
    return result;
  } catch (error) {
    if (stop.signal.aborted && !signal.aborted) throw stop.signal.reason as Error;
    throw error;
  } finally {
    clearInterval(timer);
  }
}
