import { LessThan, type DataSource, type EntityManager } from 'typeorm';
import { App, AppSource } from '../apps/app.entity.js';
import { samePodTemplate, settingsOf } from '../apps/app-settings.js';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import { Build, BuildStatus } from '../builds/build.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { EventPublisher } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import { describeError } from '../logger.js';
import { optionalBuildCommit, optionalCommit } from './commit.js';
import { assertImageReference } from './image-reference.js';
import { DeployEventType } from '../events/deploy-event.js';
import { heldMessage, isAutomatedTrigger, pinApp, pinnedNumber, releasePin, supersedeHeld, type AppPin } from './pin.js';
import { Revision, RevisionStatus, RevisionTrigger } from './revision.entity.js';
import { INITIAL_REVISION_STATUS, KIPPER_ACTOR, wasLive } from './revision.lifecycle.js';
import { Project } from '../projects/project.entity.js';
import { appLabel, dispatchRevision, insertImageRevision } from './revision.records.js';
import { insertDeliveredRevision, type DeliveredBy, type DeliveredRevision } from '../deliveries/delivery.statement.js';
import { transition } from './revision.transition.js';
import { assertOpen, gateOf, type EnvironmentGate } from '../approvals/environment-gate.js';
import { pinnedImageOf } from '../promotion/pinned-image.js';
import { promotionTarget } from '../promotion/promotion-target.js';

export interface DeployImageInput {
  image: string;
  commit?: string | null;
  trigger: RevisionTrigger;
  triggeredBy: string;
  rollbackToRevisionId?: string;
  promotedFromRevisionId?: string;
  /** Rollbacks: pin the app to the new revision (default); false removes any pin. */
  pin?: boolean;
  /** Rollbacks by a project admin pass a frozen environment (the api knows the caller's role). */
  byAdmin?: boolean;
  /** Promotions: the tag the pinned `image` (`repo@sha256:…`) is known by. */
  imageTag?: string | null;
  /** Work committed together with the revision, before it (a keyless CI token's jti used up); throwing refuses the deploy. */
  withRevision?: (manager: EntityManager) => Promise<void>;
}

export interface RequestBuildInput {
  commit?: string | null;
  trigger: RevisionTrigger;
  triggeredBy: string;
  /** As DeployImageInput.withRevision. */
  withRevision?: (manager: EntityManager) => Promise<void>;
}

export interface RevisionPage {
  nodes: Revision[];
  totalCount: number;
  hasNextPage: boolean;
  /** The number of the last revision of this page: pass it as `after` for the next page. */
  endCursor: number | null;
}

export interface RevisionServiceDeps {
  dataSource: DataSource;
  queue: JobQueue;
  events: EventPublisher;
  audit: AuditService;
  /** Warnings that do not fail a request (an event that could not be published). */
  warn?: (message: string) => void;
}


/**
 * The deploy history. Every deployment is a revision row committed together with its number
 * (allocated under a row lock on the app) and its audit entry; only then is the job enqueued
 * and the QUEUED event published. A crash or a Redis outage between commit and enqueue leaves
 * a `queued` row that the worker's sweeper enqueues again: an accepted revision is never lost.
 */
export class RevisionService {
  constructor(private readonly deps: RevisionServiceDeps) {}

  /**
   * A new revision of an image. Automated deliveries (webhooks) are one statement and held while
   * the app is pinned; a person's deploy, promotion or rollback commits together with what it
   * does to the pin (see pin.ts).
   */
  async deployImage(app: App, input: DeployImageInput): Promise<Revision> {
    return this.deployImageThrough(app, input, await gateOf(this.deps.dataSource.manager, app));
  }

  /**
   * deployImage once the environment's gate is read: a frozen environment refuses (but for an
   * admin's rollback); one that requires approvals records the revision `awaiting_approval`,
   * leaving the pin alone until it is approved (see ApprovalService). A new revision ends the
   * app's older ones that still await approval (superseded).
   */
  private async deployImageThrough(app: App, input: DeployImageInput, gate: EnvironmentGate): Promise<Revision> {
    assertOpen(gate, { adminRollback: input.trigger === RevisionTrigger.ROLLBACK && input.byAdmin === true });
    const awaitingApproval = gate.requiredApprovals > 0;
    const reusesImage = input.trigger === RevisionTrigger.ROLLBACK || input.trigger === RevisionTrigger.PROMOTION || input.trigger === RevisionTrigger.CONFIG;
    if (app.source === AppSource.GIT && !reusesImage) {
      throw new KipperError(
        ErrorCode.WRONG_APP_SOURCE,
        `App ${app.name} is built from git (${app.gitUrl ?? 'its git source'}): use rebuild (kip app rebuild ${app.name}) or send {"commit": "..."} instead of an image`,
      );
    }
    assertImageReference(input.image);
    const commit = optionalCommit(input.commit);
    if (isAutomatedTrigger(input.trigger)) {
      const record = (manager: EntityManager) => insertImageRevision(manager, app, { ...input, commit, holdWhenPinned: true, awaitingApproval });
      const { withRevision } = input;
      // Without extra work: one statement, no transaction around it (the webhook's hot path).
      const revision = withRevision
        ? await this.deps.dataSource.transaction(async (tx) => {
            await withRevision(tx);
            return record(tx);
          })
        : await record(this.deps.dataSource.manager);
      if (gate.awaiting) await this.supersedeAwaiting(app, revision);
      await this.dispatch(app, revision);
      return revision;
    }
    const pin = input.trigger === RevisionTrigger.ROLLBACK && input.pin !== false;
    const { revision, superseded, pinChanged } = await this.deps.dataSource.transaction(async (tx) => {
      await input.withRevision?.(tx);
      const made = await insertImageRevision(tx, app, { ...input, commit, awaitingApproval });
      // Approvers decide first; what the deploy does to the pin happens when it is approved.
      if (awaitingApproval) return { revision: made, superseded: [] as Revision[], pinChanged: false };
      // A settings change keeps the image the app runs: the pin (and what it holds back) stays.
      if (input.trigger === RevisionTrigger.CONFIG) return { revision: made, superseded: [] as Revision[], pinChanged: false };
      if (pin) {
        await pinApp(tx, this.deps.audit, app, made, input.triggeredBy);
        return { revision: made, superseded: [] as Revision[], pinChanged: true };
      }
      const released = await releasePin(tx, this.deps.audit, app, made, input.triggeredBy);
      return { revision: made, superseded: released.superseded, pinChanged: released.unpinned };
    });
    await this.announce(app, revision, superseded, pinChanged ? (pin ? 'pinned' : 'unpinned') : null);
    if (gate.awaiting) await this.supersedeAwaiting(app, revision);
    await this.dispatch(app, revision);
    return revision;
  }

  /**
   * A webhook's image, in one statement with its delivery record (see deliveries/delivery.statement.ts):
   * `already-live` when the image is what the app runs (nothing inserted), else the revision,
   * queued (or held while pinned), enqueued and announced like deployImage's. QUEUE_UNAVAILABLE
   * after the commit carries `revisionId` and `deliveryId` (the row to correct).
   */
  async deployDeliveredImage(app: App, input: Omit<DeployImageInput, 'rollbackToRevisionId' | 'promotedFromRevisionId' | 'pin'>, by: DeliveredBy): Promise<DeliveredRevision> {
    const gate = await gateOf(this.deps.dataSource.manager, app);
    assertOpen(gate);
    // Git apps, and environments with approvals, take the ordinary path (no delivery row here: the caller records it).
    if (app.source === AppSource.GIT || gate.requiredApprovals > 0 || gate.awaiting) {
      return this.deployImageThrough(app, input, gate).then((revision) => ({ kind: 'inserted', revision, deliveryId: null }));
    }
    assertImageReference(input.image);
    const commit = optionalCommit(input.commit);
    const result = await insertDeliveredRevision(this.deps.dataSource.manager, app, { ...input, commit, holdWhenPinned: isAutomatedTrigger(input.trigger) }, by);
    if (result.kind === 'already-live') return result;
    try {
      await this.dispatch(app, result.revision);
    } catch (err) {
      if (err instanceof KipperError && err.code === ErrorCode.QUEUE_UNAVAILABLE) {
        throw new KipperError(err.code, err.message, { ...err.details, deliveryId: result.deliveryId });
      }
      throw err;
    }
    return result;
  }

  /** Git apps: a build at `commit` (or the branch head) and the revision that will deploy its image. */
  async requestBuild(app: App, input: RequestBuildInput): Promise<Revision> {
    if (app.source !== AppSource.GIT) {
      throw new KipperError(ErrorCode.WRONG_APP_SOURCE, `App ${app.name} deploys images, it has no git source to build: send an image instead (kip app update ${app.name} --image IMAGE)`);
    }
    const commit = optionalBuildCommit(input.commit);
    const automated = isAutomatedTrigger(input.trigger);
    const gate = await gateOf(this.deps.dataSource.manager, app);
    assertOpen(gate);
    const awaitingApproval = gate.requiredApprovals > 0;
    const { revision, superseded, unpinned } = await this.deps.dataSource.transaction(async (manager) => {
      await input.withRevision?.(manager);
      const locked = await lockApp(manager, app.id);
      const held = automated && locked.pinnedRevisionId !== null;
      const status = awaitingApproval ? RevisionStatus.AWAITING_APPROVAL : held ? RevisionStatus.HELD : INITIAL_REVISION_STATUS;
      const build = await manager.save(
        manager.create(Build, { appId: app.id, number: locked.nextBuildNumber, commit, status: BuildStatus.QUEUED }),
      );
      const saved = await manager.save(
        manager.create(Revision, {
          appId: app.id,
          number: locked.nextRevisionNumber,
          image: null,
          commit,
          trigger: input.trigger,
          triggeredBy: input.triggeredBy,
          status,
          buildId: build.id,
          settings: settingsOf(locked),
        }),
      );
      await manager.update(Build, { id: build.id }, { revisionId: saved.id });
      await manager.update(App, { id: app.id }, { nextRevisionNumber: locked.nextRevisionNumber + 1, nextBuildNumber: locked.nextBuildNumber + 1 });
      await this.deps.audit.record(input.triggeredBy, 'build.request', appTarget(app), { revision: saved.number, build: build.number, commit, trigger: input.trigger, status: saved.status }, manager);
      if (automated || awaitingApproval) return { revision: saved, superseded: [] as Revision[], unpinned: false };
      const released = await releasePin(manager, this.deps.audit, app, saved, input.triggeredBy);
      return { revision: saved, superseded: released.superseded, unpinned: released.unpinned };
    });
    await this.announce(app, revision, superseded, unpinned ? 'unpinned' : null);
    if (gate.awaiting) await this.supersedeAwaiting(app, revision);
    await this.dispatch(app, revision);
    return revision;
  }

  /**
   * Deploys an earlier image again as a new revision (trigger `rollback`), with that revision's
   * pod template (port, env: see INSERT_REVISION). Without `toNumber`: the newest revision before
   * the current one that was live and runs a different image or pod template.
   */
  async rollback(app: App, options: { toNumber?: number | null; actor: string; pin?: boolean; byAdmin?: boolean }): Promise<Revision> {
    const current = await this.current(app);
    if (!current) throw new KipperError(ErrorCode.NO_ROLLBACK_TARGET, `App ${app.name} has no live revision yet: there is nothing to roll back from`);
    const repo = this.deps.dataSource.getRepository(Revision);
    let target: Revision | null;
    if (options.toNumber !== undefined && options.toNumber !== null) {
      target = await repo.findOneBy({ appId: app.id, number: options.toNumber });
      if (!target) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `App ${app.name} has no revision #${options.toNumber}`);
      if (target.id === current.id) {
        throw new KipperError(ErrorCode.NO_ROLLBACK_TARGET, `Revision #${target.number} is the current revision of ${app.name}: nothing to roll back to`);
      }
      if (!target.image) throw new KipperError(ErrorCode.NO_ROLLBACK_TARGET, `Revision #${target.number} of ${app.name} never had an image (its build did not finish)`);
      if (!differsFrom(target, current)) {
        throw new KipperError(
          ErrorCode.NO_ROLLBACK_TARGET,
          `${app.name} already runs ${target.image} with the same settings (revision #${current.number}): rolling back to #${target.number} would change nothing`,
        );
      }
    } else {
      const earlier = await repo.find({ where: { appId: app.id, number: LessThan(current.number) }, order: { number: 'DESC' } });
      target = earlier.find((r) => wasLive(r) && r.image !== null && differsFrom(r, current)) ?? null;
      if (!target) {
        throw new KipperError(
          ErrorCode.NO_ROLLBACK_TARGET,
          `App ${app.name} has no earlier live revision with an image or settings other than the current one (#${current.number}, ${current.image ?? 'no image'}); use --revision N to pick one`,
        );
      }
    }
    return this.deployImage(app, {
      image: target.image!,
      commit: target.commit,
      trigger: RevisionTrigger.ROLLBACK,
      triggeredBy: options.actor,
      rollbackToRevisionId: target.id,
      pin: options.pin ?? true,
      byAdmin: options.byAdmin ?? false,
    });
  }

  /**
   * Removes the pin and deploys the newest held revision, if any (older held ones become
   * superseded). NOT_PINNED when the app is not pinned. Returns the revision it deploys.
   */
  async unpin(app: App, actor: string): Promise<Revision | null> {
    const { deployed, superseded } = await this.deps.dataSource.transaction(async (tx) => {
      const locked = await lockApp(tx, app.id);
      if (!locked.pinnedRevisionId) throw new KipperError(ErrorCode.NOT_PINNED, `App ${app.name} is not pinned: there is nothing to unpin`);
      const newest = await tx.getRepository(Revision).findOne({ where: { appId: app.id, status: RevisionStatus.HELD }, order: { number: 'DESC' } });
      const gone = await supersedeHeld(tx, app.id, newest ? `superseded by #${newest.number} when ${app.name} was unpinned` : 'superseded', newest ?? undefined);
      if (newest) await transition(tx, newest, RevisionStatus.QUEUED);
      await tx.getRepository(App).update(app.id, { pinnedRevisionId: null, pinnedBy: null, pinnedAt: null });
      const before = { pinnedRevision: await pinnedNumber(tx, locked.pinnedRevisionId) };
      await this.deps.audit.record(actor, 'app.unpin', appTarget(app), { deploys: newest?.number ?? null, superseded: gone.map((r) => r.number), before, after: { pinnedRevision: null } }, tx);
      return { deployed: newest, superseded: gone };
    });
    Object.assign(app, { pinnedRevisionId: null, pinnedBy: null, pinnedAt: null });
    await this.announce(app, deployed, superseded, 'unpinned');
    if (deployed) await this.dispatch(app, deployed);
    return deployed;
  }

  /** The app's pin, or null when it is not pinned. */
  async pinOf(app: App): Promise<AppPin | null> {
    if (!app.pinnedRevisionId || !app.pinnedBy || !app.pinnedAt) return null;
    const revision = await this.deps.dataSource.getRepository(Revision).findOneBy({ id: app.pinnedRevisionId });
    return revision ? { revision, by: app.pinnedBy, at: app.pinnedAt } : null;
  }

  /** Why a held revision waits (null for any other status, or when the pin went meanwhile). */
  async heldReason(app: App, revision: Pick<Revision, 'number' | 'status'>): Promise<string | null> {
    if (revision.status !== RevisionStatus.HELD) return null;
    const pin = await this.pinOf(app);
    return pin ? heldMessage(app.name, revision.number, pin) : null;
  }

  /**
   * Copies the current image of `app` to the app of the same name in the next environment of
   * the pipeline (or in environment `to`), recorded there with trigger `promotion`. The target
   * app must exist: promotion never invents an app's settings (port, replicas, env) for a new
   * environment; deploy it there once first.
   */
  async promote(app: App, options: { to?: string | null; actor: string }): Promise<Revision> {
    const { from, target } = await promotionTarget(this.deps.dataSource.manager, app, options.to);
    const current = await this.current(app);
    if (!current || !current.image) {
      throw new KipperError(ErrorCode.NOTHING_TO_PROMOTE, `App ${app.name} in ${from.name} has no live revision yet: there is nothing to promote`);
    }
    const pinned = pinnedImageOf(current);
    if (!pinned) {
      throw new KipperError(
        ErrorCode.DIGEST_UNKNOWN,
        `Revision #${current.number} of ${app.name} in ${from.name} has no recorded digest (it went live before Kipper read digests, or the cluster reported none): deploy it again in ${from.name}, then promote`,
        { revision: current.number },
      );
    }
    const destination = await this.deps.dataSource.getRepository(App).findOneBy({ namespace: target.namespace, name: app.name });
    if (!destination) {
      const project = await this.deps.dataSource.getRepository(Project).findOneByOrFail({ id: app.projectId });
      throw new KipperError(
        ErrorCode.APP_NOT_FOUND,
        `App ${app.name} does not exist in ${target.name}: create it there once with the same settings (kip app deploy ${app.name} --project ${project.name} --environment ${target.name} --image ${current.image}), then promote`,
        { project: project.name, environment: target.name, missingTarget: true },
      );
    }
    return this.deployImage(destination, {
      image: pinned.image,
      imageTag: pinned.tag,
      commit: current.commit,
      trigger: RevisionTrigger.PROMOTION,
      triggeredBy: options.actor,
      promotedFromRevisionId: current.id,
    });
  }

  /**
   * A new revision ends the app's older ones that still await approval: they become superseded
   * (state machine), audited as `revision.supersede` by `kipper`, and subscribers hear of it.
   */
  private async supersedeAwaiting(app: App, newest: Revision): Promise<void> {
    const gone = await this.deps.dataSource.transaction(async (tx) => {
      const waiting = await tx.getRepository(Revision).find({
        where: { appId: app.id, status: RevisionStatus.AWAITING_APPROVAL, number: LessThan(newest.number) },
        order: { number: 'ASC' },
      });
      const moved: Revision[] = [];
      for (const revision of waiting) {
        await transition(tx, revision, RevisionStatus.SUPERSEDED, { failureReason: `superseded by #${newest.number} before it was approved` });
        moved.push(revision);
      }
      if (moved.length > 0) await this.deps.audit.record(KIPPER_ACTOR, 'revision.supersede', appTarget(app), { revisions: moved.map((r) => r.number), by: newest.number, awaitingApproval: true }, tx);
      return moved;
    });
    for (const revision of gone) await this.deps.events.revisionChanged(revision, app, DeployEventType.SUPERSEDED, revision.failureReason);
  }

  /** Newest first; `after` is a revision number (the endCursor of the previous page). */
  async list(appId: string, options: { first?: number; after?: number | null } = {}): Promise<RevisionPage> {
    const first = clampPage(options.first);
    const repo = this.deps.dataSource.getRepository(Revision);
    const where = options.after !== undefined && options.after !== null ? { appId, number: LessThan(options.after) } : { appId };
    const [rows, totalCount] = await Promise.all([repo.find({ where, order: { number: 'DESC' }, take: first + 1 }), repo.countBy({ appId })]);
    const nodes = rows.slice(0, first);
    return { nodes, totalCount, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.number ?? null };
  }

  async current(app: App): Promise<Revision | null> {
    if (!app.currentRevisionId) return null;
    return this.deps.dataSource.getRepository(Revision).findOneBy({ id: app.currentRevisionId });
  }

  async byNumber(appId: string, number: number): Promise<Revision | null> {
    return this.deps.dataSource.getRepository(Revision).findOneBy({ appId, number });
  }

  async byId(id: string): Promise<Revision | null> {
    return this.deps.dataSource.getRepository(Revision).findOneBy({ id });
  }

  /** After the commit: what a deploy did to held revisions and the pin, as live events. */
  private async announce(app: App, revision: Revision | null, superseded: Revision[], pin: 'pinned' | 'unpinned' | null): Promise<void> {
    for (const gone of superseded) await this.deps.events.revisionChanged(gone, app, DeployEventType.SUPERSEDED, gone.failureReason);
    if (!pin) return;
    const about = revision ?? (await this.current(app));
    if (!about) return;
    const message = pin === 'pinned' ? `${app.name} is pinned to revision #${about.number}` : `${app.name} is no longer pinned`;
    await this.deps.events.revisionChanged(about, app, pin === 'pinned' ? DeployEventType.PINNED : DeployEventType.UNPINNED, message);
  }

  /** After the commit: enqueue and tell subscribers; a queue that stays down is the caller's QUEUE_UNAVAILABLE. */
  private async dispatch(app: App, revision: Revision): Promise<void> {
    const held = revision.status === RevisionStatus.HELD ? ((await this.heldReason(app, revision)) ?? undefined) : undefined;
    const enqueueError = await dispatchRevision(this.deps, app, revision, held);
    if (enqueueError === undefined) return;
    this.deps.warn?.(`enqueue of ${appLabel(app)} revision #${revision.number} failed: ${describeError(enqueueError, { stack: false })}`);
    throw new KipperError(ErrorCode.QUEUE_UNAVAILABLE, `Revision #${revision.number} is recorded and will be deployed when the queue is back`, {
      revision: revision.number,
      revisionId: revision.id,
    });
  }
}

/**
 * Whether rolling back to `target` would change what runs: another image, or (both snapshots
 * known) another pod template. Revisions recorded before snapshots compare by image alone.
 */
function differsFrom(target: Revision, current: Revision): boolean {
  if (target.image !== current.image) return true;
  return target.settings !== null && current.settings !== null && !samePodTemplate(target.settings, current.settings);
}

async function lockApp(manager: EntityManager, appId: string): Promise<App> {
  const locked = await manager.findOne(App, { where: { id: appId }, lock: { mode: 'pessimistic_write' } });
  if (!locked) throw new KipperError(ErrorCode.APP_NOT_FOUND, 'The app was deleted meanwhile');
  return locked;
}

export function clampPage(first: number | undefined, max = 100): number {
  if (first === undefined || !Number.isFinite(first)) return 20;
  if (first < 1 || first > max) throw new KipperError(ErrorCode.VALIDATION_FAILED, `first must be from 1 to ${max}, got ${first}`, { field: 'first' });
  return Math.floor(first);
}
