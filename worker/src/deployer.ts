import { appWorkload, App, DeployPolicy, Revision, RevisionStatus, RevisionTransitionError, isAutomaticRollback, type Logger } from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import { In, type DataSource } from 'typeorm';
import { AppBuilder, type BuilderOptions } from './builder.js';
import { AppGoneError, HandBackError, isAppGone, isTransient } from './errors.js';
import { FollowStopped, followVerdict, whileWanted } from './follow-guard.js';
import { assertAppExists, type Lifecycles } from './lifecycles.js';
import type { DeployEvents } from './ports.js';
import { ProgressSaver } from './progress-saver.js';
import { Slots } from './slots.js';
import { publicFailureReason } from './reasons.js';

export interface DeployerOptions extends BuilderOptions {
  /** Builds run at once by this process (KIPPER_WORKER_CONCURRENCY); rollouts have no such bound. */
  buildConcurrency: number;
  progressDeadlineSeconds: number;
  progressThrottleMs: number;
}

/** The annotation on the pod template that names the Kipper revision a rollout belongs to. */
export const REVISION_ANNOTATION = 'kipper.dev/revision';

const target = (app: App) => `${app.namespace}/${app.name}`;

/**
 * Works through one app's unfinished revisions: builds, rollouts, supersedes, preemptions,
 * automatic rollbacks. The caller holds the app's deploy lock for the whole drain(), so nothing
 * here races with another worker on the same app; PostgreSQL is re-read at every step, so a
 * drain started after a crash continues where the dead worker stopped. Every change of a
 * revision or a build goes through core's lifecycle services; this class decides what to do
 * next and talks to the cluster.
 */
export class AppDeployer {
  private readonly builder: AppBuilder;
  private readonly buildSlots: Slots;

  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    events: DeployEvents,
    private readonly lifecycle: Lifecycles,
    private readonly options: DeployerOptions,
    private readonly log: Logger,
  ) {
    this.builder = new AppBuilder(db, cluster, events, lifecycle, options, log);
    this.buildSlots = new Slots(options.buildConcurrency);
  }

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
        if (!isAppGone(error)) throw error;
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

  /**
   * In-flight work first (a revision `building` or `rolling_out` was left by a worker that
   * stopped or died: it is resumed against the cluster's state, and preempted as soon as it is
   * followed when something newer waits), then queued ones: the newest with deploy policy
   * LATEST (older queued ones become superseded), the oldest with EVERY. An automatic rollback
   * left queued by a worker that died right after committing it goes first while nothing newer
   * is queued behind it (as when its worker rolls it out at once); like core, which makes no
   * automatic rollback when a newer revision waits, it never jumps ahead of a newer revision:
   * then it is an older queued revision like any other.
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
    const newest = queued[queued.length - 1]!;
    if (isAutomaticRollback(newest)) return newest;
    if (app.deployPolicy === DeployPolicy.EVERY) return queued[0]!;
    await this.supersede(app, queued.slice(0, -1), newest);
    return newest;
  }

  private async supersede(app: App, older: Revision[], newest: Revision): Promise<void> {
    const done = await this.lifecycle.revisions.supersede(app, older, newest);
    if (done.length > 0) this.log.info(`${target(app)}: revisions ${done.map((n) => `#${n}`).join(', ')} superseded by #${newest.number}`);
  }

  private async process(app: App, revision: Revision, signal: AbortSignal): Promise<void> {
    try {
      if (revision.buildId && !revision.image) {
        if (!(await this.buildSlots.run(() => this.builder.build(app, revision, signal)))) return;
        // A newer revision arrived while the build finished: it goes out instead.
        const verdict = await followVerdict(this.db, app, revision);
        if (verdict instanceof FollowStopped) return await this.stopped(app, revision, verdict);
      }
      if (!revision.image) {
        await this.lifecycle.revisions.fail(app, revision, 'the revision has no image to roll out');
        return;
      }
      await this.rollout(app, revision, signal);
    } catch (error) {
      if (error instanceof RevisionTransitionError) {
        // Someone else decided the revision meanwhile: it is theirs now.
        this.log.info(`${target(app)}: leaving revision #${revision.number}: ${error.message}`);
        return;
      }
      if (signal.aborted || error instanceof HandBackError || isAppGone(error) || isTransient(error)) throw error;
      // The details stay in the worker log: the failure reason is readable with a webhook token.
      this.log.warn(`${target(app)}: revision #${revision.number} failed`, error);
      await this.builder.failWithBuild(app, revision, publicFailureReason(error));
    }
  }

  // ── rollouts ──────────────────────────────────────────────────────────────────────────────

  /**
   * Sets the image and follows the rollout. Every step is idempotent, so a revision found
   * `rolling_out` after a crash goes through the same steps again: the Deployment already runs
   * the image (no new generation) and following it picks up where the cluster is. A newer
   * revision (policy LATEST) or a person's cancel stops the follow within FOLLOW_CHECK_MS; the
   * next revision then sets its image at once and Kubernetes rolls over from wherever it is.
   */
  private async rollout(app: App, revision: Revision, signal: AbortSignal): Promise<void> {
    const image = revision.image!;
    if (revision.status === RevisionStatus.ROLLING_OUT) {
      this.log.info(`${target(app)}: resuming rollout of revision #${revision.number} (${image})`);
    } else {
      await this.lifecycle.revisions.startRollout(app, revision);
    }

    // Each write is preceded by a check that the app still exists, and the follow stops when it
    // goes: a delete during the run leaves nothing behind (see removeLeftovers).
    await assertAppExists(this.db, app.id);
    await this.cluster.ensureNamespace(app.namespace);
    await assertAppExists(this.db, app.id);
    await this.cluster.ensureApp(appWorkload(app, image, this.options.progressDeadlineSeconds, revision.settings));
    await assertAppExists(this.db, app.id);
    const { generation } = await this.cluster.setImage(app.namespace, app.name, image, {
      [REVISION_ANNOTATION]: String(revision.number),
    });
    await assertAppExists(this.db, app.id);

    const progress = new ProgressSaver((p) => this.lifecycle.revisions.saveProgress(app, revision, p), this.options.progressThrottleMs);
    let outcome;
    try {
      outcome = await whileWanted(this.db, app, revision, signal, (follow) =>
        this.cluster.followRollout(app.namespace, app.name, {
          minGeneration: generation,
          signal: follow,
          onProgress: (p) => progress.push(p),
        }),
      );
    } catch (error) {
      if (!(error instanceof FollowStopped)) throw error;
      outcome = error;
    } finally {
      await progress.settle();
    }
    if (outcome instanceof FollowStopped) return this.stopped(app, revision, outcome);
    stopIfAborted(signal);

    if (outcome.ok) {
      await this.lifecycle.revisions.goLive(app, revision, await this.runningDigest(app));
      this.log.info(`${target(app)}: revision #${revision.number} is live (${image})`);
      return;
    }

    const reason = `${outcome.reason}: ${outcome.message}`;
    this.log.info(`${target(app)}: rollout of revision #${revision.number} failed: ${reason}`);
    // The failure and the automatic rollback it implies commit together (see failRollout).
    const rollback = await this.lifecycle.revisions.failRollout(app, revision, reason);
    if (!rollback) return;
    this.log.info(
      `${target(app)}: revision #${revision.number} failed, rolling back to revision #${rollback.target.number} (${rollback.target.image ?? ''}) as revision #${rollback.revision.number}`,
    );
    // At once, inside the same app lock, so that nothing supersedes or races it; its job, when
    // it runs, finds nothing left to do. A newer revision arriving meanwhile still preempts it.
    const fresh = await this.db.getRepository(App).findOneBy({ id: app.id });
    if (!fresh) throw new AppGoneError(`app ${target(app)} was deleted`);
    await this.process(fresh, rollback.revision, signal);
  }

  /** The digest the app's pods run now; a cluster that cannot tell does not stop the revision going live. */
  private async runningDigest(app: App): Promise<string | null> {
    try {
      return await this.cluster.readRunningDigest(app.namespace, app.name);
    } catch (error) {
      this.log.warn(`${target(app)}: could not read the running digest`, error);
      return null;
    }
  }

  /**
   * The rollout (or the finished build) of `revision` is no longer wanted: a newer revision
   * preempts it (superseded, with the reason, audited), or someone moved it on (a person
   * cancelled it: the rollback they queued comes next). The drain continues with what is queued.
   */
  private async stopped(app: App, revision: Revision, stop: FollowStopped): Promise<void> {
    if (stop.why.kind === 'moved') {
      this.log.info(`${target(app)}: stopped following revision #${revision.number}: it is ${stop.why.status} now`);
      return;
    }
    const newest = await this.db.getRepository(Revision).findOneBy({ id: stop.why.newestId });
    if (newest && (await this.lifecycle.revisions.preempt(app, revision, newest))) {
      this.log.info(`${target(app)}: revision #${revision.number} preempted by #${newest.number}`);
    }
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof HandBackError ? signal.reason : new HandBackError('run stopped');
}
