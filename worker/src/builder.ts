import { AppSource, Build, BuildStatus, Revision, RevisionTransitionError, redactGitUrl, type App, type Logger } from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import type { DataSource } from 'typeorm';
import { appendBuildLog, BuildLogSink, linesSeen } from './build-log.js';
import { HandBackError, isAppGone, isTransient } from './errors.js';
import { FollowStopped, whileWanted } from './follow-guard.js';
import { assertGitReachable, lsRemoteHead, type GitPolicy } from './git.js';
import type { DeployEvents } from './ports.js';
import { buildOutcomeReason, buildStepReason } from './reasons.js';
import { assertAppExists, type Lifecycles } from './lifecycles.js';

export interface BuilderOptions {
  registry: string;
  builderImage: string;
  logFlushMs: number;
  git: GitPolicy;
}

const target = (app: App) => `${app.namespace}/${app.name}`;

/** Errors that are not the build's: the run stops or is retried, the build keeps its status. */
function passesThrough(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || error instanceof HandBackError || error instanceof RevisionTransitionError || isAppGone(error) || isTransient(error);
}

/**
 * A git app's build: resolve the commit (`git ls-remote`), run the builder Job, follow its log.
 * Every way a build can end leaves the build and its revision final with a reason people can
 * act on (git's words, the cluster's refusal, the builder's last lines), and a last `[kipper]`
 * line in the log; a build stopped by a newer revision or a person loses its Job.
 */
export class AppBuilder {
  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    private readonly events: DeployEvents,
    private readonly lifecycle: Lifecycles,
    private readonly options: BuilderOptions,
    private readonly log: Logger,
  ) {}

  /** Builds the revision's image; true when the revision now has one (false: it failed or stopped). */
  async build(app: App, revision: Revision, signal: AbortSignal): Promise<boolean> {
    const build = await this.db.getRepository(Build).findOneBy({ id: revision.buildId! });
    if (!build) {
      await this.lifecycle.revisions.fail(app, revision, 'the build of this revision no longer exists');
      return false;
    }
    if (build.status === BuildStatus.SUCCEEDED && build.image) {
      await this.lifecycle.builds.useImageOf(revision, { ...build, image: build.image });
      return true;
    }
    if (build.status !== BuildStatus.QUEUED && build.status !== BuildStatus.RUNNING) {
      await this.lifecycle.revisions.fail(app, revision, build.failureReason ?? `build #${build.number} ${build.status}`);
      return false;
    }
    try {
      return await this.run(app, revision, build, signal);
    } catch (error) {
      if (error instanceof FollowStopped) {
        await this.stopped(app, revision, build, error);
        return false;
      }
      if (passesThrough(error, signal)) throw error;
      const reason = buildStepReason(error);
      if (reason === null) throw error;
      await this.fail(app, revision, build, reason);
      return false;
    }
  }

  private async run(app: App, revision: Revision, build: Build, signal: AbortSignal): Promise<boolean> {
    if (app.source !== AppSource.GIT || !app.gitUrl || !app.gitBranch) {
      await this.fail(app, revision, build, 'the app has no git source to build from');
      return false;
    }
    await assertGitReachable(app.gitUrl, this.options.git);
    const commit = build.commit ?? revision.commit ?? (await lsRemoteHead(app.gitUrl, app.gitBranch, this.options.git));
    if (!commit) {
      await this.fail(app, revision, build, `branch ${app.gitBranch} not found in ${redactGitUrl(app.gitUrl)}`);
      return false;
    }
    const image = `${this.options.registry}/${app.namespace}/${app.name}:${commit}`;

    // The same commit already built (a provider webhook and CI for one push): reuse the image.
    const earlier = await this.db.getRepository(Build).findOne({
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
    await this.assertAppExists(app);
    await this.cluster.ensureNamespace(app.namespace);
    await this.assertAppExists(app);
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
    else await this.assertAppExists(app);
    build.jobName = jobName;

    const sink = new BuildLogSink(this.db, this.events, build.id, this.options.logFlushMs, this.log);
    let outcome;
    try {
      outcome = await whileWanted(this.db, app, revision, signal, (follow) =>
        this.cluster.followBuild(app.namespace, jobName, { onLog: (line) => sink.push(line), signal: follow, skipLines: linesSeen(build.log) }),
      );
    } finally {
      await sink.close();
    }
    if (signal.aborted) throw new HandBackError('run stopped');

    if (!outcome.ok) {
      const lines = sink.lastLines();
      await this.fail(app, revision, build, buildOutcomeReason(outcome, lines.length > 0 ? lines : build.log));
      return false;
    }
    await this.lifecycle.builds.succeed(revision, build, { image, commit });
    this.log.info(`${target(app)}: build #${build.number} pushed ${image}`);
    return true;
  }

  /** The build and its revision fail for `reason`, said last in the build's log first. */
  async fail(app: App, revision: Revision, build: Build, reason: string): Promise<void> {
    await this.finalLine(build, `[kipper] build #${build.number} failed: ${reason}`);
    await this.lifecycle.builds.fail(app, revision, build, reason);
    this.log.info(`${target(app)}: build #${build.number} failed: ${reason}`);
  }

  /** An unexpected error ended the revision's work: its build (when still unfinished) fails with it. */
  async failWithBuild(app: App, revision: Revision, reason: string): Promise<void> {
    const build = revision.buildId ? await this.db.getRepository(Build).findOneBy({ id: revision.buildId }) : null;
    if (build && (build.status === BuildStatus.QUEUED || build.status === BuildStatus.RUNNING)) await this.fail(app, revision, build, reason);
    else await this.lifecycle.revisions.fail(app, revision, reason);
  }

  /** A newer revision preempted the build, or a person cancelled it: its Job goes. */
  private async stopped(app: App, revision: Revision, build: Build, stop: FollowStopped): Promise<void> {
    let why: string;
    if (stop.why.kind === 'preempted') {
      const newest = await this.db.getRepository(Revision).findOneBy({ id: stop.why.newestId });
      const moved = newest ? await this.lifecycle.revisions.preempt(app, revision, newest) : false;
      why = newest && moved ? `superseded by #${newest.number}` : `revision #${revision.number} was decided meanwhile`;
    } else {
      why = `revision #${revision.number} is ${stop.why.status}`;
    }
    this.log.info(`${target(app)}: build #${build.number} stopped: ${why}`);
    if (build.jobName) {
      try {
        await this.cluster.deleteBuild(app.namespace, build.jobName);
      } catch (error) {
        this.log.warn(`${target(app)}: deleting build Job ${build.jobName} failed (it runs until its deadline)`, error);
      }
    }
    await this.finalLine(build, `[kipper] build #${build.number} stopped: ${why}`);
  }

  private async finalLine(build: Build, line: string): Promise<void> {
    try {
      await appendBuildLog(this.db, this.events, build.id, [line]);
    } catch (error) {
      this.log.warn(`build #${build.number}: saving its last log line failed`, error);
    }
  }

  private async assertAppExists(app: App): Promise<void> {
    await assertAppExists(this.db, app.id);
  }
}
