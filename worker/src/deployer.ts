import { appWorkload, redactGitUrl, App, AppSource, DeployPolicy, Build, BuildStatus, Revision, RevisionStatus, RevisionTransitionError, isAutomaticRollback, type BuildLifecycleService, type Logger, type RevisionLifecycleService } from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import { In, type DataSource } from 'typeorm';
import { isNotManaged } from '@kipper/kube';
import { AppGoneError, HandBackError, isAppGone, isTransient } from './errors.js';
import { assertGitReachable, GitError, lsRemoteHead, type GitPolicy } from './git.js';
import { BuildLogSink, linesSeen } from './build-log.js';
import type { DeployEvents } from './ports.js';
import { ProgressSaver } from './progress-saver.js';

export interface DeployerOptions {
  registry: string;
  builderImage: string;
  progressDeadlineSeconds: number;
  progressThrottleMs: number;
  logFlushMs: number;
  git: GitPolicy;
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

/** Core's services that make every change to revisions and builds (the state machine). */
export interface Lifecycles {
  revisions: RevisionLifecycleService;
  builds: BuildLifecycleService;
}

/**
 * Works through one app's unfinished revisions: builds, rollouts, supersedes, automatic
 * rollbacks. The caller holds the app's deploy lock for the whole drain(), so nothing here
 * races with another worker on the same app; PostgreSQL is re-read at every step, so a drain
 * started after a crash continues where the dead worker stopped. Every change of a revision
 * or a build goes through core's lifecycle services; this class decides what to do next and
 * talks to the cluster.
 */
export class AppDeployer {
  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    private readonly events: DeployEvents,
    private readonly lifecycle: Lifecycles,
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

  private async appExists(appId: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM app WHERE id = $1', [appId])) as unknown[];
    return rows.length > 0;
  }

  /** Checked before every cluster write: a deleted app gets nothing (re)created. */
  private async assertAppExists(appId: string): Promise<void> {
    if (!(await this.appExists(appId))) throw new AppGoneError(`app ${appId} was deleted`);
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
   * stopped or died: it is resumed against the cluster's state), then an automatic rollback
   * left queued by a worker that died right after committing it (it goes first and supersedes
   * nothing, as when its worker rolls it out at once), then queued ones: the newest with deploy
   * policy LATEST (older queued ones become superseded), the oldest with EVERY.
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
    const rollback = queued.find(isAutomaticRollback);
    if (rollback) return rollback;
    if (app.deployPolicy === DeployPolicy.EVERY) return queued[0]!;
    const newest = queued[queued.length - 1]!;
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
        const built = await this.build(app, revision, signal);
        if (!built) return;
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
      await this.lifecycle.revisions.fail(app, revision, publicFailureReason(error));
    }
  }

  // ── builds ────────────────────────────────────────────────────────────────────────────────

  /** Builds the revision's image; true when the revision now has one (false: it failed). */
  private async build(app: App, revision: Revision, signal: AbortSignal): Promise<boolean> {
    const builds = this.db.getRepository(Build);
    const build = await builds.findOneBy({ id: revision.buildId! });
    if (!build) {
      await this.lifecycle.revisions.fail(app, revision, 'the build of this revision no longer exists');
      return false;
    }
    if (build.status === BuildStatus.SUCCEEDED && build.image) {
      await this.lifecycle.builds.useImageOf(revision, { ...build, image: build.image });
      return true;
    }
    if (build.status === BuildStatus.FAILED || build.status === BuildStatus.SUPERSEDED) {
      await this.lifecycle.revisions.fail(app, revision, build.failureReason ?? `build #${build.number} ${build.status}`);
      return false;
    }
    if (app.source !== AppSource.GIT || !app.gitUrl || !app.gitBranch) {
      await this.failBuild(app, revision, build, 'the app has no git source to build from');
      return false;
    }

    try {
      await assertGitReachable(app.gitUrl, this.options.git);
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      await this.failBuild(app, revision, build, err.message);
      return false;
    }
    let commit = build.commit ?? revision.commit;
    if (!commit) {
      try {
        commit = await lsRemoteHead(app.gitUrl, app.gitBranch, this.options.git);
      } catch (err) {
        if (!(err instanceof GitError)) throw err;
        await this.failBuild(app, revision, build, err.message);
        return false;
      }
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
      await this.lifecycle.builds.succeed(revision, build, { image: earlier.image, commit, log: [line] });
      await this.events.buildLog(build.id, line).catch((e: unknown) => this.log.warn('publish build log', e));
      return true;
    }

    await this.lifecycle.builds.start(app, revision, build, commit);

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
    if (build.jobName !== jobName) await this.lifecycle.builds.recordJob(revision, build, jobName);
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
    await this.lifecycle.builds.succeed(revision, build, { image, commit });
    this.log.info(`${target(app)}: build #${build.number} pushed ${image}`);
    return true;
  }

  private async failBuild(app: App, revision: Revision, build: Build, reason: string): Promise<void> {
    await this.lifecycle.builds.fail(app, revision, build, reason);
    this.log.info(`${target(app)}: build #${build.number} failed: ${reason}`);
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
      await this.lifecycle.revisions.startRollout(app, revision);
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

    const progress = new ProgressSaver((p) => this.lifecycle.revisions.saveProgress(app, revision, p), this.options.progressThrottleMs);
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
      await this.lifecycle.revisions.goLive(app, revision);
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
    // it runs, finds nothing left to do.
    const fresh = await this.db.getRepository(App).findOneBy({ id: app.id });
    if (!fresh) throw new AppGoneError(`app ${target(app)} was deleted`);
    await this.process(fresh, rollback.revision, signal);
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof HandBackError ? signal.reason : new HandBackError('run stopped');
}
