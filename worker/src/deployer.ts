import { appWorkload, redactGitUrl, type GitProtocol, App, AppSource, DeployPolicy, Build, BuildStatus, DeployEventType, Revision, RevisionStatus, RevisionTrigger, UNFINISHED_STATUSES, type RolloutProgress, KipperError } from '@kipper/core';
import type { Cluster, RolloutProgress as ClusterProgress } from '@kipper/kube';
import { In, type DataSource, type EntityManager, type UpdateResult } from 'typeorm';
import { isNotManaged } from '@kipper/kube';
import { AppGoneError, HandBackError, isTransient } from './errors.js';
import { lsRemoteHead } from './git.js';
import { describeError, type Logger } from './log.js';
import { BuildLogSink, linesSeen } from './build-log.js';
import { KIPPER_ACTOR, type Auditor, type DeployEvents, type RevisionRequests } from './ports.js';

export interface DeployerOptions {
  registry: string;
  builderImage: string;
  progressDeadlineSeconds: number;
  progressThrottleMs: number;
  logFlushMs: number;
  gitProtocols: readonly GitProtocol[];
}

/** The annotation on the pod template that names the Kipper revision a rollout belongs to. */
export const REVISION_ANNOTATION = 'kipper.dev/revision';

const target = (app: App) => `${app.namespace}/${app.name}`;

/** How often a build or rollout being followed checks that its app still exists. */
const APP_CHECK_MS = 1000;

/** What a revision's failure reason says about errors that are not a build or rollout outcome. */
export const INTERNAL_ERROR_REASON = 'internal error (see the worker log)';

/**
 * The failure reason stored for (and shown through the status URL of) an unexpected error:
 * a refusal to touch an object Kipper did not create is the user's to fix and says so; anything
 * else is generic, its details go to the worker log only.
 */
export function publicFailureReason(error: unknown): string {
  if (isNotManaged(error)) return (error as Error).message;
  return INTERNAL_ERROR_REASON;
}

/**
 * Works through one app's unfinished revisions: builds, rollouts, supersedes, automatic
 * rollbacks. The caller holds the app's deploy lock for the whole drain(), so nothing here
 * races with another worker on the same app; PostgreSQL is re-read at every step, so a drain
 * started after a crash continues where the dead worker stopped.
 */
export class AppDeployer {
  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    private readonly events: DeployEvents,
    private readonly audit: Auditor,
    private readonly revisions: RevisionRequests,
    private readonly options: DeployerOptions,
    private readonly log: Logger,
  ) {}

  /** Processes revisions until the app has none left unfinished (or the signal stops the run). */
  async drain(appId: string, signal: AbortSignal): Promise<number> {
    let processed = 0;
    for (;;) {
      stopIfAborted(signal);
      const app = await this.db.getRepository(App).findOneBy({ id: appId });
      if (!app) return processed;
      try {
        const next = await this.nextRevision(app);
        if (!next) return processed;
        await this.process(app, next, signal);
      } catch (error) {
        if (!(error instanceof AppGoneError)) throw error;
        await this.removeLeftovers(app);
        return processed;
      }
      processed++;
    }
  }

  /**
   * The app was deleted while this run held its lock: AppService.delete removed its objects
   * and rows, but this run may have (re)created some since. Remove them (deleteApp touches only
   * objects Kipper made) and end the run; a failure here is logged, the run still ends.
   */
  private async removeLeftovers(app: App): Promise<void> {
    try {
      await this.cluster.deleteApp(app.namespace, app.name);
      this.log.info(`${target(app)}: the app was deleted during the run; removed its remaining Kubernetes objects`);
    } catch (error) {
      this.log.warn(`${target(app)}: the app was deleted during the run; removing its remaining Kubernetes objects failed`, error);
    }
  }

  private async appExists(appId: string, manager: EntityManager = this.db.manager): Promise<boolean> {
    const rows = (await manager.query('SELECT 1 FROM app WHERE id = $1', [appId])) as unknown[];
    return rows.length > 0;
  }

  /** Checked before every cluster write: a deleted app gets nothing (re)created. */
  private async assertAppExists(appId: string, manager?: EntityManager): Promise<void> {
    if (!(await this.appExists(appId, manager))) throw new AppGoneError(`app ${appId} was deleted`);
  }

  /** An UPDATE of the app's rows that changed nothing: AppGoneError when the app is gone. */
  private async checkAffected(result: UpdateResult, appId: string, manager?: EntityManager): Promise<boolean> {
    if (result.affected) return true;
    await this.assertAppExists(appId, manager);
    return false;
  }

  /**
   * Runs a follow (build or rollout) with a signal that also aborts when the app row disappears
   * (checked every APP_CHECK_MS): then AppGoneError instead of the follow's result.
   */
  private async whileAppExists<T>(app: App, signal: AbortSignal, follow: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const gone = new AbortController();
    let checking = false;
    const timer = setInterval(() => {
      if (checking || gone.signal.aborted) return;
      checking = true;
      this.appExists(app.id)
        .then((exists) => {
          if (!exists) gone.abort(new AppGoneError(`app ${target(app)} was deleted`));
        })
        .catch(() => undefined) // the database is the follow's business, not the check's
        .finally(() => (checking = false));
    }, APP_CHECK_MS);
    try {
      const result = await follow(AbortSignal.any([signal, gone.signal]));
      if (gone.signal.aborted) throw gone.signal.reason as AppGoneError;
      return result;
    } catch (error) {
      if (gone.signal.aborted && !signal.aborted) throw gone.signal.reason as AppGoneError;
      throw error;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * In-flight work first (a revision `building` or `rolling_out` was left by a worker that
   * stopped or died: it is resumed against the cluster's state), then queued ones: the newest
   * with deploy policy LATEST (older queued ones become superseded), the oldest with EVERY.
   */
  private async nextRevision(app: App): Promise<Revision | null> {
    const revisions = this.db.getRepository(Revision);
    const inFlight = await revisions.findOne({
      where: { appId: app.id, status: In([RevisionStatus.BUILDING, RevisionStatus.ROLLING_OUT]) },
      order: { number: 'ASC' },
    });
    if (inFlight) return inFlight;
    const queued = await revisions.find({
      where: { appId: app.id, status: RevisionStatus.QUEUED },
      order: { number: 'ASC' },
    });
    if (queued.length === 0) return null;
    if (app.deployPolicy === DeployPolicy.EVERY) return queued[0]!;
    const newest = queued[queued.length - 1]!;
    await this.supersede(app, queued.slice(0, -1), newest);
    return newest;
  }

  private async supersede(app: App, older: Revision[], newest: Revision): Promise<void> {
    const done: number[] = [];
    for (const revision of older) {
      const changed = await this.db.transaction(async (tx) => {
        const moved = await this.transition(tx, revision, [RevisionStatus.QUEUED], {
          status: RevisionStatus.SUPERSEDED,
          finishedAt: new Date(),
        });
        if (moved && revision.buildId) {
          await tx.getRepository(Build).update(
            { id: revision.buildId, status: BuildStatus.QUEUED },
            { status: BuildStatus.SUPERSEDED, finishedAt: new Date() },
          );
        }
        return moved;
      });
      if (!changed) continue;
      done.push(revision.number);
      await this.publish(revision, app, DeployEventType.SUPERSEDED, `superseded by revision #${newest.number}`);
    }
    if (done.length > 0) {
      this.log.info(`${target(app)}: revisions ${done.map((n) => `#${n}`).join(', ')} superseded by #${newest.number}`);
      await this.record('revision.supersede', app, { revisions: done, by: newest.number });
    }
  }

  private async process(app: App, revision: Revision, signal: AbortSignal): Promise<void> {
    try {
      if (revision.buildId && !revision.image) {
        const built = await this.build(app, revision, signal);
        if (!built) return;
      }
      if (!revision.image) {
        await this.fail(app, revision, 'the revision has no image to roll out');
        return;
      }
      await this.rollout(app, revision, signal);
    } catch (error) {
      if (signal.aborted || error instanceof HandBackError || error instanceof AppGoneError || isTransient(error)) throw error;
      // The details stay in the worker log: the failure reason is readable with a webhook token.
      this.log.warn(`${target(app)}: revision #${revision.number} failed: ${describeError(error)}`);
      await this.fail(app, revision, publicFailureReason(error));
    }
  }

  // ── builds ────────────────────────────────────────────────────────────────────────────────

  /** Builds the revision's image; true when the revision now has one (false: it failed). */
  private async build(app: App, revision: Revision, signal: AbortSignal): Promise<boolean> {
    const builds = this.db.getRepository(Build);
    const build = await builds.findOneBy({ id: revision.buildId! });
    if (!build) {
      await this.fail(app, revision, 'the build of this revision no longer exists');
      return false;
    }
    if (build.status === BuildStatus.SUCCEEDED && build.image) {
      await this.setRevisionImage(app, revision, build.image, build.commit);
      return true;
    }
    if (build.status === BuildStatus.FAILED || build.status === BuildStatus.SUPERSEDED) {
      await this.fail(app, revision, build.failureReason ?? `build #${build.number} ${build.status}`);
      return false;
    }
    if (app.source !== AppSource.GIT || !app.gitUrl || !app.gitBranch) {
      await this.failBuild(app, revision, build, 'the app has no git source to build from');
      return false;
    }

    let commit = build.commit ?? revision.commit;
    if (!commit) {
      commit = await lsRemoteHead(app.gitUrl, app.gitBranch, this.options.gitProtocols);
      if (!commit) {
        await this.failBuild(app, revision, build, `branch ${app.gitBranch} not found in ${redactGitUrl(app.gitUrl)}`);
        return false;
      }
    }
    const image = `${this.options.registry}/${app.namespace}/${app.name}:${commit}`;

    // The same commit already built (a provider webhook and CI for one push): reuse the image.
    const earlier = await builds.findOne({
      where: { appId: app.id, commit, status: BuildStatus.SUCCEEDED },
      order: { number: 'DESC' },
    });
    if (earlier?.image && earlier.id !== build.id) {
      const line = `commit ${commit} was built by build #${earlier.number}: reusing ${earlier.image}`;
      await builds.update(build.id, {
        status: BuildStatus.SUCCEEDED,
        commit,
        image: earlier.image,
        log: [line],
        startedAt: build.startedAt ?? new Date(),
        finishedAt: new Date(),
      });
      await this.events.buildLog(build.id, line).catch((e: unknown) => this.log.warn('publish build log', e));
      await this.setRevisionImage(app, revision, earlier.image, commit);
      return true;
    }

    const now = new Date();
    await this.checkAffected(
      await builds.update(build.id, { status: BuildStatus.RUNNING, commit, startedAt: build.startedAt ?? now }),
      app.id,
    );
    if (revision.status !== RevisionStatus.BUILDING) {
      const moved = await this.transition(this.db.manager, revision, [RevisionStatus.QUEUED], {
        status: RevisionStatus.BUILDING,
        commit: revision.commit ?? commit,
        startedAt: revision.startedAt ?? now,
      });
      if (!moved) return false;
      await this.publish(revision, app, DeployEventType.BUILDING, `building ${commit.slice(0, 12)}`);
    }

    await this.assertAppExists(app.id);
    await this.cluster.ensureNamespace(app.namespace);
    await this.assertAppExists(app.id);
    const { jobName } = await this.cluster.startBuild({
      namespace: app.namespace,
      app: app.name,
      buildNumber: build.number,
      builderImage: this.options.builderImage,
      gitUrl: app.gitUrl,
      gitBranch: app.gitBranch,
      commit,
      dockerfilePath: app.dockerfilePath ?? 'Dockerfile',
      destination: image,
    });
    if (build.jobName !== jobName) await this.checkAffected(await builds.update(build.id, { jobName }), app.id);
    else await this.assertAppExists(app.id);

    const sink = new BuildLogSink(this.db, this.events, build.id, this.options.logFlushMs, this.log);
    let outcome;
    try {
      outcome = await this.whileAppExists(app, signal, (follow) =>
        this.cluster.followBuild(app.namespace, jobName, {
          onLog: (line) => sink.push(line),
          signal: follow,
          skipLines: linesSeen(build.log),
        }),
      );
    } finally {
      await sink.close();
    }
    stopIfAborted(signal);

    if (!outcome.ok) {
      await this.failBuild(app, revision, build, `${outcome.reason}: ${outcome.message}`);
      return false;
    }
    await this.checkAffected(await builds.update(build.id, { status: BuildStatus.SUCCEEDED, image, finishedAt: new Date() }), app.id);
    await this.setRevisionImage(app, revision, image, commit);
    this.log.info(`${target(app)}: build #${build.number} pushed ${image}`);
    return true;
  }

  private async setRevisionImage(app: App, revision: Revision, image: string, commit: string | null): Promise<void> {
    revision.image = image;
    revision.commit = revision.commit ?? commit;
    await this.checkAffected(await this.db.getRepository(Revision).update(revision.id, { image, commit: revision.commit }), app.id);
  }

  private async failBuild(app: App, revision: Revision, build: Build, reason: string): Promise<void> {
    await this.checkAffected(
      await this.db.getRepository(Build).update(build.id, { status: BuildStatus.FAILED, failureReason: reason, finishedAt: new Date() }),
      app.id,
    );
    this.log.info(`${target(app)}: build #${build.number} failed: ${reason}`);
    await this.fail(app, revision, reason);
  }

  // ── rollouts ──────────────────────────────────────────────────────────────────────────────


  /**
   * Sets the image and follows the rollout. Every step is idempotent, so a revision found
   * `rolling_out` after a crash goes through the same steps again: the Deployment already runs
   * the image (no new generation) and following it picks up where the cluster is.
   */
  private async rollout(app: App, revision: Revision, signal: AbortSignal): Promise<void> {
    const image = revision.image!;
    if (revision.status === RevisionStatus.ROLLING_OUT) {
      this.log.info(`${target(app)}: resuming rollout of revision #${revision.number} (${image})`);
    } else {
      const moved = await this.transition(this.db.manager, revision, [RevisionStatus.QUEUED, RevisionStatus.BUILDING], {
        status: RevisionStatus.ROLLING_OUT,
        startedAt: revision.status === RevisionStatus.BUILDING && revision.startedAt ? revision.startedAt : new Date(),
        progress: null,
      });
      if (!moved) return;
      await this.publish(revision, app, DeployEventType.ROLLING_OUT, `rolling out ${image}`);
    }

    // Each write is preceded by a check that the app still exists, and the follow stops when it
    // goes: a delete during the run leaves nothing behind (see removeLeftovers).
    await this.assertAppExists(app.id);
    await this.cluster.ensureNamespace(app.namespace);
    await this.assertAppExists(app.id);
    await this.cluster.ensureApp(appWorkload(app, image, this.options.progressDeadlineSeconds));
    await this.assertAppExists(app.id);
    const { generation } = await this.cluster.setImage(app.namespace, app.name, image, {
      [REVISION_ANNOTATION]: String(revision.number),
    });
    await this.assertAppExists(app.id);

    const progress = new ProgressSaver(this, app, revision, this.options.progressThrottleMs);
    let outcome;
    try {
      outcome = await this.whileAppExists(app, signal, (follow) =>
        this.cluster.followRollout(app.namespace, app.name, {
          minGeneration: generation,
          signal: follow,
          onProgress: (p) => progress.push(p),
        }),
      );
    } finally {
      await progress.settle();
    }
    stopIfAborted(signal);

    if (outcome.ok) {
      await this.db.transaction(async (tx) => {
        const moved = await this.transition(tx, revision, [RevisionStatus.ROLLING_OUT], {
          status: RevisionStatus.LIVE,
          finishedAt: new Date(),
        });
        if (moved) await this.checkAffected(await tx.getRepository(App).update(app.id, { currentRevisionId: revision.id }), app.id, tx);
      });
      app.currentRevisionId = revision.id;
      this.log.info(`${target(app)}: revision #${revision.number} is live (${image})`);
      await this.publish(revision, app, DeployEventType.LIVE, `${image} is live`);
      return;
    }

    const reason = `${outcome.reason}: ${outcome.message}`;
    this.log.info(`${target(app)}: rollout of revision #${revision.number} failed: ${reason}`);
    await this.fail(app, revision, reason);
    const automatic = revision.trigger === RevisionTrigger.ROLLBACK && revision.triggeredBy === KIPPER_ACTOR;
    if (app.autoRollback && !automatic) await this.rollBack(app, revision, signal);
  }

  /**
   * Goes back to the app's current (last live) revision after a failed rollout: a new revision
   * with trigger `rollback` by `kipper` (made by RevisionService.deployImage: number, audit entry
   * `revision.rollback` by `kipper`, QUEUED event), rolled out at once inside the same app lock
   * so that nothing supersedes or races it. Its job, when it runs, finds nothing left to do.
   * A failed automatic rollback is not rolled back again.
   */
  private async rollBack(app: App, failed: Revision, signal: AbortSignal): Promise<void> {
    const fresh = await this.db.getRepository(App).findOneBy({ id: app.id });
    if (!fresh?.currentRevisionId) {
      this.log.info(`${target(app)}: nothing live to roll back to`);
      return;
    }
    const current = await this.db.getRepository(Revision).findOneBy({ id: fresh.currentRevisionId });
    if (!current?.image) return;

    const rollback = await this.revisions
      .deployImage(fresh, {
        image: current.image,
        commit: current.commit,
        trigger: RevisionTrigger.ROLLBACK,
        triggeredBy: KIPPER_ACTOR,
        rollbackToRevisionId: current.id,
      })
      .catch(async (error: unknown) => {
        // Recorded but not enqueued (Redis down): the row is what matters, it is processed here.
        const id = error instanceof KipperError ? (error.details?.revisionId as string | undefined) : undefined;
        const recorded = id ? await this.db.getRepository(Revision).findOneBy({ id }) : null;
        if (!recorded) throw error;
        return recorded;
      });
    this.log.info(
      `${target(app)}: revision #${failed.number} failed, rolling back to revision #${current.number} (${current.image}) as revision #${rollback.number}`,
    );
    await this.process(fresh, rollback, signal);
  }

  // ── status changes ────────────────────────────────────────────────────────────────────────

  /**
   * Moves a revision from one of `from` to a new state; false when it is no longer in one of
   * them (someone else finished it). Updates the object in place on success.
   */
  private async transition(
    manager: EntityManager,
    revision: Revision,
    from: RevisionStatus[],
    changes: Partial<Pick<Revision, 'status' | 'startedAt' | 'finishedAt' | 'failureReason' | 'progress' | 'commit'>>,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Revision)
      .set(changes)
      .where('id = :id AND status IN (:...from)', { id: revision.id, from })
      .execute();
    // Nothing changed: someone else finished the revision, or the app (and its rows) is gone.
    if (!(await this.checkAffected(result, revision.appId, manager))) return false;
    Object.assign(revision, changes);
    return true;
  }

  private async fail(app: App, revision: Revision, reason: string): Promise<void> {
    const moved = await this.transition(this.db.manager, revision, UNFINISHED_STATUSES, {
      status: RevisionStatus.FAILED,
      failureReason: reason.slice(0, 2000),
      finishedAt: new Date(),
    });
    if (moved) await this.publish(revision, app, DeployEventType.FAILED, reason);
  }

  /** Saves and publishes rollout progress; used by ProgressSaver. */
  async saveProgress(app: App, revision: Revision, progress: RolloutProgress): Promise<void> {
    const result = await this.db
      .getRepository(Revision)
      .update({ id: revision.id, status: RevisionStatus.ROLLING_OUT }, { progress });
    if (!result.affected) return;
    revision.progress = progress;
    await this.publish(revision, app, DeployEventType.PROGRESS);
  }

  /** Pub/sub is best effort: a lost event never stops a deploy (subscribers re-read the revision). */
  private async publish(revision: Revision, app: App, type: DeployEventType, message?: string): Promise<void> {
    try {
      await this.events.revisionChanged(revision, app, type, message);
    } catch (error) {
      this.log.warn(`publish ${type} of ${target(app)} #${revision.number}`, error);
    }
  }

  private async record(action: string, app: App, details: Record<string, unknown>): Promise<void> {
    try {
      await this.audit.record(KIPPER_ACTOR, action, target(app), details);
    } catch (error) {
      this.log.warn(`audit ${action} of ${target(app)}`, error);
    }
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof HandBackError ? signal.reason : new HandBackError('run stopped');
}

/** Keeps the newest progress, writes at most once per interval, and always the last one. */
class ProgressSaver {
  private latest: RolloutProgress | null = null;
  private saved: string | null = null;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deployer: AppDeployer,
    private readonly app: App,
    private readonly revision: Revision,
    private readonly throttleMs: number,
  ) {}

  push(p: ClusterProgress): void {
    this.latest = { updated: p.updated, ready: p.ready, desired: p.desired };
    const wait = this.lastWrite + this.throttleMs - Date.now();
    if (wait <= 0) this.write();
    else this.timer ??= setTimeout(() => this.write(), wait);
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const progress = this.latest;
    if (!progress || JSON.stringify(progress) === this.saved) return;
    this.saved = JSON.stringify(progress);
    this.lastWrite = Date.now();
    this.chain = this.chain
      .then(() => this.deployer.saveProgress(this.app, this.revision, progress))
      .catch(() => undefined); // progress is advisory; the final state is saved by the caller
  }

  async settle(): Promise<void> {
    this.write();
    await this.chain;
  }
}
