import type { DataSource, EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import { Revision, RevisionStatus } from '../revisions/revision.entity.js';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import { assertTransition, KIPPER_ACTOR } from '../revisions/revision.lifecycle.js';
import { lockForTransition, transition } from '../revisions/revision.transition.js';
import { observerOf } from '../observability/observer.js';
import { Build, BuildStatus } from './build.entity.js';

export interface BuildLifecycleDeps {
  dataSource: DataSource;
  events: EventPublisher;
  /** Records a failed build (actor `kipper`) in the same transaction. */
  audit?: AuditService;
}

/** What a finished build gives its revision. */
export interface BuiltImage {
  image: string;
  commit: string;
  /** The build's whole log, when it did not run (an earlier build of the commit is reused). */
  log?: string[];
}

/**
 * A git app's build and its revision move together: each method changes both in one
 * transaction, under the app's and the revision's row locks (see revision.transition.ts), so
 * a build never succeeds without its revision getting the image, nor fails without it.
 */
export class BuildLifecycleService {
  constructor(private readonly deps: BuildLifecycleDeps) {}

  /** The build runs at `commit`; its revision (queued, or building when resumed) is building. */
  async start(app: App, revision: Revision, build: Build, commit: string): Promise<void> {
    const moved = await this.deps.dataSource.transaction(async (tx) => {
      const { locked } = await lockForTransition(tx, revision);
      await tx.getRepository(Build).update(build.id, { status: BuildStatus.RUNNING, commit, startedAt: build.startedAt ?? new Date() });
      if (locked.status === RevisionStatus.BUILDING) return false;
      await transition(tx, revision, RevisionStatus.BUILDING, { commit: locked.commit ?? commit });
      return true;
    });
    if (moved) await this.deps.events.revisionChanged(revision, app, DeployEventType.BUILDING, `building ${commit.slice(0, 12)}`);
  }

  /** The Kubernetes Job that runs the build (a resumed build re-attaches to it). */
  async recordJob(revision: Revision, build: Build, jobName: string): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await lockForTransition(tx, revision);
      await tx.getRepository(Build).update(build.id, { jobName });
    });
  }

  /**
   * The build pushed `built.image` (or reused an earlier build's): the revision deploys it. A
   * revision cancelled or superseded meanwhile keeps its build's status (RevisionTransitionError).
   */
  async succeed(revision: Revision, build: Build, built: BuiltImage): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await lockToTakeImage(tx, revision);
      const now = new Date();
      await tx.getRepository(Build).update(build.id, {
        status: BuildStatus.SUCCEEDED,
        commit: built.commit,
        image: built.image,
        startedAt: build.startedAt ?? now,
        finishedAt: now,
        ...(built.log ? { log: built.log } : {}),
      });
      await setImage(tx, revision, built.image, built.commit);
      observerOf(tx)?.buildFinished('succeeded');
    });
  }

  /** The revision's build had already succeeded (a resumed run): the revision deploys its image. */
  async useImageOf(revision: Revision, build: Build & { image: string }): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await lockToTakeImage(tx, revision);
      await setImage(tx, revision, build.image, build.commit);
      observerOf(tx)?.buildFinished('reused');
    });
  }

  /** The build failed, and so did its revision, for the same reason. */
  async fail(app: App, revision: Revision, build: Build, reason: string): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await lockForTransition(tx, revision);
      await tx.getRepository(Build).update(build.id, { status: BuildStatus.FAILED, failureReason: reason, finishedAt: new Date() });
      await transition(tx, revision, RevisionStatus.FAILED, { failureReason: reason });
      await this.deps.audit?.record(KIPPER_ACTOR, 'build.fail', appTarget(app), { build: build.number, revision: revision.number, reason }, tx);
      observerOf(tx)?.buildFinished('failed');
    });
    await this.deps.events.revisionChanged(revision, app, DeployEventType.FAILED, reason);
  }
}

/** Locks the revision, which must still be able to roll the image out (queued or building). */
async function lockToTakeImage(tx: EntityManager, revision: Revision): Promise<void> {
  const { locked } = await lockForTransition(tx, revision);
  assertTransition(locked, RevisionStatus.ROLLING_OUT);
}

async function setImage(tx: EntityManager, revision: Revision, image: string, commit: string | null): Promise<void> {
  const changes = { image, commit: revision.commit ?? commit };
  await tx.getRepository(Revision).update(revision.id, changes);
  Object.assign(revision, changes);
}
