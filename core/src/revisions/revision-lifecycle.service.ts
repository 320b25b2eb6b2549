import { In, type DataSource, type EntityManager } from 'typeorm';
import { App } from '../apps/app.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import { Build, BuildStatus } from '../builds/build.entity.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import type { Logger } from '../logger.js';
import { Revision, RevisionStatus, RevisionTrigger, type RolloutProgress } from './revision.entity.js';
import { canTransition, isAutomaticRollback, KIPPER_ACTOR } from './revision.lifecycle.js';
import { appLabel, dispatchRevision, insertImageRevision } from './revision.records.js';
import { lockForTransition, transition } from './revision.transition.js';

export interface RevisionLifecycleDeps {
  dataSource: DataSource;
  queue: JobQueue;
  events: EventPublisher;
  audit: AuditService;
  log: Logger;
}

/** The rollback revision a failed rollout implied, and the revision whose image it deploys again. */
export interface AutomaticRollback {
  revision: Revision;
  target: Revision;
}

/**
 * Applies the revision state machine (revision.lifecycle.ts): every status change of a
 * revision after it was recorded. Each method is one transaction holding the app's and the
 * revision's row locks, with what the change implies (the app's current revision, superseded
 * builds, an automatic rollback, audit entries); events and jobs follow the commit, so what
 * subscribers and the queue hear is always in PostgreSQL already. Events are best effort.
 */
export class RevisionLifecycleService {
  constructor(private readonly deps: RevisionLifecycleDeps) {}

  /** queued or building → rolling_out. */
  async startRollout(app: App, revision: Revision): Promise<void> {
    await this.deps.dataSource.transaction((tx) => transition(tx, revision, RevisionStatus.ROLLING_OUT));
    await this.publish(app, revision, DeployEventType.ROLLING_OUT, `rolling out ${revision.image ?? ''}`);
  }

  /**
   * Rollout progress of a revision still rolling out (not a status change: no row locks, and a
   * revision that has moved on meanwhile keeps the progress it had).
   */
  async saveProgress(app: App, revision: Revision, progress: RolloutProgress): Promise<void> {
    const result = await this.deps.dataSource.getRepository(Revision).update({ id: revision.id, status: RevisionStatus.ROLLING_OUT }, { progress });
    if (!result.affected) return;
    revision.progress = progress;
    await this.publish(app, revision, DeployEventType.PROGRESS);
  }

  /** rolling_out → live, and the revision becomes the app's current one. */
  async goLive(app: App, revision: Revision): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await transition(tx, revision, RevisionStatus.LIVE);
      await tx.getRepository(App).update(revision.appId, { currentRevisionId: revision.id });
    });
    app.currentRevisionId = revision.id;
    await this.publish(app, revision, DeployEventType.LIVE, `${revision.image ?? ''} is live`);
  }

  /** An unfinished revision → failed, for a reason its readers (webhook status URL) may see. */
  async fail(app: App, revision: Revision, reason: string): Promise<void> {
    await this.deps.dataSource.transaction((tx) => transition(tx, revision, RevisionStatus.FAILED, { failureReason: reason }));
    await this.publish(app, revision, DeployEventType.FAILED, reason);
  }

  /**
   * rolling_out → failed, and in the same transaction the automatic rollback it implies: with
   * the app's autoRollback, a queued `rollback` revision by `kipper` of the current (last live)
   * revision's image, audited as `revision.rollback`. A worker dying at any moment leaves either
   * both or neither. The job of the rollback is enqueued after the commit (the sweeper enqueues
   * it when that fails); a failed automatic rollback is not rolled back again.
   */
  async failRollout(app: App, revision: Revision, reason: string): Promise<AutomaticRollback | null> {
    const rollback = await this.deps.dataSource.transaction(async (tx) => {
      const locked = await transition(tx, revision, RevisionStatus.FAILED, { failureReason: reason });
      const target = await this.rollbackTarget(tx, locked, revision);
      if (!target) return null;
      const made = await insertImageRevision(tx, locked, {
        image: target.image!,
        commit: target.commit,
        trigger: RevisionTrigger.ROLLBACK,
        triggeredBy: KIPPER_ACTOR,
        rollbackToRevisionId: target.id,
      });
      return { revision: made, target };
    });
    await this.publish(app, revision, DeployEventType.FAILED, reason);
    if (rollback) await this.dispatch(app, rollback.revision);
    return rollback;
  }

  /**
   * Newest wins: of `older`, those still queued become superseded by `newest`, with their queued
   * builds, and one audit entry `revision.supersede` by `kipper`. Returns their numbers.
   */
  async supersede(app: App, older: Revision[], newest: Revision): Promise<number[]> {
    if (older.length === 0) return [];
    const moved = await this.deps.dataSource.transaction(async (tx) => {
      const superseded: Revision[] = [];
      for (const revision of older) {
        const { locked } = await lockForTransition(tx, revision);
        // Decided meanwhile (started, failed): not ours to supersede any more.
        if (!canTransition(locked.status, RevisionStatus.SUPERSEDED)) continue;
        await transition(tx, revision, RevisionStatus.SUPERSEDED);
        superseded.push(revision);
      }
      const builds = superseded.flatMap((r) => (r.buildId ? [r.buildId] : []));
      if (builds.length > 0) {
        await tx.getRepository(Build).update({ id: In(builds), status: BuildStatus.QUEUED }, { status: BuildStatus.SUPERSEDED, finishedAt: new Date() });
      }
      if (superseded.length > 0) {
        const numbers = superseded.map((r) => r.number);
        await this.deps.audit.record(KIPPER_ACTOR, 'revision.supersede', appLabel(app), { revisions: numbers, by: newest.number }, tx);
      }
      return superseded;
    });
    for (const revision of moved) await this.publish(app, revision, DeployEventType.SUPERSEDED, `superseded by revision #${newest.number}`);
    return moved.map((r) => r.number);
  }

  /** The revision to go back to after `failed` failed, or null when there is none or it is not wanted. */
  private async rollbackTarget(tx: EntityManager, app: App, failed: Revision): Promise<Revision | null> {
    if (!app.autoRollback || isAutomaticRollback(failed) || !app.currentRevisionId) return null;
    const current = await tx.getRepository(Revision).findOneBy({ id: app.currentRevisionId });
    return current?.image ? current : null;
  }

  private async dispatch(app: App, revision: Revision): Promise<void> {
    const enqueueError = await dispatchRevision(this.deps, app, revision);
    // The row is committed: the worker that made it processes it, or the sweeper enqueues it.
    if (enqueueError !== undefined) this.deps.log.warn(`enqueue of ${appLabel(app)} revision #${revision.number} failed`, enqueueError);
  }

  private async publish(app: App, revision: Revision, type: DeployEventType, message?: string): Promise<void> {
    await this.deps.events.revisionChanged(revision, app, type, message);
  }
}
