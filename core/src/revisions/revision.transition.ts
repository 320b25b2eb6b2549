import type { EntityManager } from 'typeorm';
import { App } from '../apps/app.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { observerOf } from '../observability/observer.js';
import { Revision, RevisionStatus } from './revision.entity.js';
import { assertTransition, isFinal } from './revision.lifecycle.js';

/** What a transition may write besides the status and the timestamps the state machine sets. */
export type TransitionChanges = Partial<Pick<Revision, 'failureReason' | 'commit' | 'digest'>>;

/** Failure reasons are shown to people; a cluster message can be long. */
const MAX_FAILURE_REASON = 2000;

/**
 * Locks the app's row and then the revision's, the order in which AppService.delete's cascade
 * takes them, so that a transition and a delete never deadlock; a delete waits for the
 * transition or the transition finds the app gone (APP_NOT_FOUND). The app row is locked
 * FOR NO KEY UPDATE: it serialises the app's transitions and new revision numbers, and does
 * not stop rows that merely reference the app.
 */
export async function lockForTransition(tx: EntityManager, revision: Pick<Revision, 'id' | 'appId' | 'number'>): Promise<{ app: App; locked: Revision }> {
  const app = await tx.getRepository(App).findOne({ where: { id: revision.appId }, lock: { mode: 'for_no_key_update' } });
  if (!app) throw new KipperError(ErrorCode.APP_NOT_FOUND, `The app of revision #${revision.number} was deleted meanwhile`);
  const locked = await tx.getRepository(Revision).findOne({ where: { id: revision.id }, lock: { mode: 'for_no_key_update' } });
  if (!locked) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `Revision #${revision.number} no longer exists`);
  return { app, locked };
}

/**
 * Inside the caller's transaction: moves `revision` to `to` if the state machine allows it
 * from the status in the database (RevisionTransitionError otherwise). Work that begins
 * (building, rolling out) stamps `startedAt` once; a final status stamps `finishedAt`; a new
 * rollout starts without progress. `revision` is updated in place; the locked app is returned.
 */
export async function transition(tx: EntityManager, revision: Revision, to: RevisionStatus, changes: TransitionChanges = {}): Promise<App> {
  const { app, locked } = await lockForTransition(tx, revision);
  assertTransition(locked, to);
  const now = new Date();
  const update: Partial<Revision> = { ...changes, status: to };
  if (changes.failureReason) update.failureReason = changes.failureReason.slice(0, MAX_FAILURE_REASON);
  if (to === RevisionStatus.BUILDING || to === RevisionStatus.ROLLING_OUT) update.startedAt = locked.startedAt ?? now;
  if (to === RevisionStatus.ROLLING_OUT) update.progress = null;
  if (isFinal(to)) update.finishedAt = now;
  await tx.getRepository(Revision).update(revision.id, update);
  const from = locked.status;
  Object.assign(revision, locked, update);
  observerOf(tx)?.revisionTransitioned(from, to, revision);
  return app;
}

/**
 * Inside the caller's transaction: those of `revisions` (one app's) still in status `from` move
 * to `to`, in two statements whatever their number: the app's row lock (as lockForTransition
 * takes it, so the lock order is the same), then one guarded UPDATE. A drain that finds fifty
 * queued revisions behind a flood of webhooks supersedes them in one go instead of five round
 * trips each, all while holding the lock every new webhook waits for. Returns the revisions
 * that moved, updated in place.
 */
export async function transitionAll(tx: EntityManager, appId: string, revisions: Revision[], from: RevisionStatus, to: RevisionStatus): Promise<Revision[]> {
  if (revisions.length === 0) return [];
  assertTransition({ number: revisions[0]!.number, status: from }, to);
  if (to === RevisionStatus.BUILDING || to === RevisionStatus.ROLLING_OUT) throw new Error(`transitionAll does not start work (${to}): use transition`);
  const app = await tx.getRepository(App).findOne({ where: { id: appId }, lock: { mode: 'for_no_key_update' } });
  if (!app) throw new KipperError(ErrorCode.APP_NOT_FOUND, 'The app was deleted meanwhile');
  const [rows] = (await tx.query(
    `UPDATE revision SET status = $1, finished_at = CASE WHEN $2::boolean THEN now() ELSE finished_at END
     WHERE app_id = $3 AND id = ANY($4::uuid[]) AND status = $5 RETURNING id, finished_at`,
    [to, isFinal(to), appId, revisions.map((r) => r.id), from],
  )) as [{ id: string; finished_at: Date | null }[], number];
  const moved = new Map(rows.map((row) => [row.id, row.finished_at]));
  const out = revisions.filter((r) => moved.has(r.id));
  for (const revision of out) {
    Object.assign(revision, { status: to, finishedAt: moved.get(revision.id) ?? null });
    observerOf(tx)?.revisionTransitioned(from, to, revision);
  }
  return out;
}
