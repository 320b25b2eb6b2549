import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { App } from '../apps/app.entity.js';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import { Build, BuildStatus } from '../builds/build.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import type { Logger } from '../logger.js';
import { Revision, RevisionStatus, RevisionTrigger, UNFINISHED_STATUSES, type RolloutProgress } from './revision.entity.js';
import { canTransition, isAutomaticRollback, KIPPER_ACTOR } from './revision.lifecycle.js';
import { appLabel, dispatchRevision, insertImageRevision } from './revision.records.js';
import { lockForTransition, transition, transitionAll } from './revision.transition.js';

export interface RevisionLifecycleDeps {
  dataSource: DataSource;
  queue: JobQueue;
  events: EventPublisher;
  audit: AuditService;
  log: Logger;
}

/** What `cancel` did: the revisions it stopped and the rollback to the last live image (when a rollout was stopped). */
export interface CancelResult {
  cancelled: Revision[];
  rollback: Revision | null;
  /** The revision whose image the rollback deploys again. */
  target: Revision | null;
}

/** True when a newer revision of the app is queued behind `revision`. */
async function newerQueued(tx: EntityManager, revision: Revision): Promise<boolean> {
  return tx.getRepository(Revision).exists({ where: { appId: revision.appId, number: MoreThan(revision.number), status: RevisionStatus.QUEUED } });
}

/** A revision's build that has not finished ends with it (superseded or cancelled). */
async function endBuild(tx: EntityManager, revision: Revision, status: BuildStatus, reason: string): Promise<void> {
  if (!revision.buildId) return;
  await tx
    .getRepository(Build)
    .update({ id: revision.buildId, status: In([BuildStatus.QUEUED, BuildStatus.RUNNING]) }, { status, failureReason: reason, finishedAt: new Date() });
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

  /**
   * rolling_out → live, and the revision becomes the app's current one. `digest`: what its pods
   * run (`sha256:…` from their containerStatuses[].imageID), recorded with it so that a
   * promotion ships exactly these bytes; null when the cluster reported none.
   */
  async goLive(app: App, revision: Revision, digest: string | null = null): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await transition(tx, revision, RevisionStatus.LIVE, digest ? { digest } : {});
      await tx.getRepository(App).update(revision.appId, { currentRevisionId: revision.id });
      const before = app.currentRevisionId ? await tx.getRepository(Revision).findOneBy({ id: app.currentRevisionId }) : null;
      await this.deps.audit.record(KIPPER_ACTOR, 'revision.live', appTarget(app), {
        revision: revision.number,
        image: revision.image,
        digest: revision.digest,
        before: { revision: before?.number ?? null, image: before?.image ?? null },
        after: { revision: revision.number, image: revision.image },
      }, tx);
    });
    app.currentRevisionId = revision.id;
    await this.publish(app, revision, DeployEventType.LIVE, `${revision.image ?? ''} is live`);
  }

  /** An unfinished revision → failed, for a reason its readers (webhook status URL) may see. */
  async fail(app: App, revision: Revision, reason: string): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await transition(tx, revision, RevisionStatus.FAILED, { failureReason: reason });
      await this.deps.audit.record(KIPPER_ACTOR, 'revision.fail', appTarget(app), { revision: revision.number, reason }, tx);
    });
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
      await this.deps.audit.record(KIPPER_ACTOR, 'revision.fail', appTarget(app), { revision: revision.number, reason, rollout: true }, tx);
      // A newer revision waiting goes straight out: rolling back first would only delay it,
      // and the history would read out of order.
      if (await newerQueued(tx, revision)) return null;
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
      // Started or decided meanwhile: not ours to supersede any more (in-flight work is preempted).
      const superseded = await transitionAll(tx, app.id, older, RevisionStatus.QUEUED, RevisionStatus.SUPERSEDED);
      const builds = superseded.flatMap((r) => (r.buildId ? [r.buildId] : []));
      if (builds.length > 0) {
        await tx.getRepository(Build).update({ id: In(builds), status: BuildStatus.QUEUED }, { status: BuildStatus.SUPERSEDED, finishedAt: new Date() });
      }
      if (superseded.length > 0) {
        const numbers = superseded.map((r) => r.number);
        await this.deps.audit.record(KIPPER_ACTOR, 'revision.supersede', appTarget(app), { revisions: numbers, by: newest.number }, tx);
      }
      return superseded;
    });
    for (const revision of moved) await this.publish(app, revision, DeployEventType.SUPERSEDED, `superseded by revision #${newest.number}`);
    return moved.map((r) => r.number);
  }

  /**
   * Preemption (deploy policy `latest`): the revision in flight (building or rolling out) gives
   * way to `newest`: superseded, with the reason, and its build too. The caller (the worker)
   * then stops following it and deploys `newest`; Kubernetes rolls over from wherever the
   * Deployment is. False when the revision was decided meanwhile.
   */
  async preempt(app: App, inFlight: Revision, newest: Revision): Promise<boolean> {
    const stage = inFlight.status === RevisionStatus.BUILDING ? 'building' : 'rolling out';
    const reason = `superseded by #${newest.number} while ${stage}`;
    const moved = await this.deps.dataSource.transaction(async (tx) => {
      const { locked } = await lockForTransition(tx, inFlight);
      if (locked.status !== RevisionStatus.BUILDING && locked.status !== RevisionStatus.ROLLING_OUT) return false;
      await transition(tx, inFlight, RevisionStatus.SUPERSEDED, { failureReason: reason });
      await endBuild(tx, inFlight, BuildStatus.SUPERSEDED, reason);
      await this.deps.audit.record(KIPPER_ACTOR, 'revision.supersede', appTarget(app), { revisions: [inFlight.number], by: newest.number, while: stage }, tx);
      return true;
    });
    if (moved) await this.publish(app, inFlight, DeployEventType.SUPERSEDED, reason);
    return moved;
  }

  /**
   * A person stops what the app is doing (`kip app cancel`): every queued, building or rolling
   * out revision becomes `cancelled` with its build, and when a rollout was under way the last
   * live image comes back as a new `rollback` revision by the same person. One transaction;
   * the worker following the cancelled work notices, stops, and deletes the build Job.
   * NOTHING_TO_CANCEL when there is nothing in flight or waiting.
   */
  async cancel(app: App, actor: string): Promise<CancelResult> {
    const result = await this.deps.dataSource.transaction(async (tx) => {
      const revisions = tx.getRepository(Revision);
      const unfinished = await revisions.find({ where: { appId: app.id, status: In(UNFINISHED_STATUSES) }, order: { number: 'ASC' } });
      if (unfinished.length === 0) {
        throw new KipperError(ErrorCode.NOTHING_TO_CANCEL, `App ${app.name} has no deploy or build in progress: there is nothing to cancel`);
      }
      const cancelled: Revision[] = [];
      let rolledOut = false;
      for (const revision of unfinished) {
        const { locked } = await lockForTransition(tx, revision);
        if (!canTransition(locked.status, RevisionStatus.CANCELLED)) continue;
        rolledOut ||= locked.status === RevisionStatus.ROLLING_OUT;
        const reason = `cancelled by ${actor}`;
        await transition(tx, revision, RevisionStatus.CANCELLED, { failureReason: reason });
        await endBuild(tx, revision, BuildStatus.CANCELLED, reason);
        cancelled.push(revision);
      }
      if (cancelled.length === 0) throw new KipperError(ErrorCode.NOTHING_TO_CANCEL, `App ${app.name} finished meanwhile: there is nothing to cancel`);
      const locked = await tx.getRepository(App).findOneByOrFail({ id: app.id });
      const current = locked.currentRevisionId ? await revisions.findOneBy({ id: locked.currentRevisionId }) : null;
      let rollback: Revision | null = null;
      if (rolledOut && current?.image) {
        rollback = await insertImageRevision(tx, locked, {
          image: current.image,
          commit: current.commit,
          trigger: RevisionTrigger.ROLLBACK,
          triggeredBy: actor,
          rollbackToRevisionId: current.id,
        });
      }
      await this.deps.audit.record(actor, 'revision.cancel', appTarget(app), { revisions: cancelled.map((r) => r.number), rollback: rollback?.number ?? null }, tx);
      return { cancelled, rollback, target: rollback ? current : null };
    });
    for (const revision of result.cancelled) await this.publish(app, revision, DeployEventType.CANCELLED, revision.failureReason ?? undefined);
    if (result.rollback) await this.dispatch(app, result.rollback);
    return result;
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
