import type { EntityManager } from 'typeorm';
import { App } from '../apps/app.entity.js';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import { Build, BuildStatus } from '../builds/build.entity.js';
import { In } from 'typeorm';
import { Revision, RevisionStatus, RevisionTrigger } from './revision.entity.js';
import { transition } from './revision.transition.js';

/**
 * Pins. A rollback pins its app (unless asked not to): a person said "this image, not the
 * newest", so the next CI push must not undo it. While pinned, automated deliveries (webhooks,
 * provider pushes, the git watch) are still accepted and recorded, as `held`; a person's
 * explicit deploy (update, promotion, rebuild, another rollback) is their choice and replaces
 * the pin; `unpin` deploys the newest held revision.
 */

/** Deliveries no person asked for at that moment: they are held while the app is pinned. */
export function isAutomatedTrigger(trigger: RevisionTrigger): boolean {
  return trigger === RevisionTrigger.WEBHOOK || trigger === RevisionTrigger.BUILD;
}

export interface AppPin {
  revision: Pick<Revision, 'id' | 'number'>;
  by: string;
  at: Date;
}

/** When a pin is shown to people: `2026-12-01 17:05:03 UTC`. */
export function pinTime(at: Date): string {
  return `${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** What a held revision's readers (the webhook answer, `--wait`, the console) are told. */
export function heldMessage(appName: string, heldNumber: number, pin: AppPin): string {
  return (
    `Revision #${heldNumber} is held: ${appName} is pinned to revision #${pin.revision.number} ` +
    `(rolled back by ${pin.by} at ${pinTime(pin.at)}). Run kip app unpin ${appName} to deploy it.`
  );
}

/** Inside the caller's transaction (the app's row already locked by it): pins the app to `revision`. */
export async function pinApp(tx: EntityManager, audit: AuditService, app: App, revision: Revision, actor: string): Promise<void> {
  const at = new Date();
  const previous = (await tx.getRepository(App).findOneByOrFail({ id: app.id })).pinnedRevisionId;
  await tx.getRepository(App).update(app.id, { pinnedRevisionId: revision.id, pinnedBy: actor, pinnedAt: at });
  Object.assign(app, { pinnedRevisionId: revision.id, pinnedBy: actor, pinnedAt: at });
  const before = { pinnedRevision: await pinnedNumber(tx, previous) };
  await audit.record(actor, 'app.pin', appTarget(app), { revision: revision.number, before, after: { pinnedRevision: revision.number } }, tx);
}

/**
 * Inside the caller's transaction: a person's explicit deploy of `by` removes the pin (audited
 * `app.unpin`) and supersedes every held revision, which it replaces. Returns the superseded,
 * and whether there was a pin to remove.
 */
export async function releasePin(
  tx: EntityManager,
  audit: AuditService,
  app: App,
  by: Revision,
  actor: string,
): Promise<{ superseded: Revision[]; unpinned: boolean }> {
  const superseded = await supersedeHeld(tx, app.id, `superseded by #${by.number}`);
  const fresh = await tx.getRepository(App).findOneByOrFail({ id: app.id });
  if (fresh.pinnedRevisionId) {
    await tx.getRepository(App).update(app.id, { pinnedRevisionId: null, pinnedBy: null, pinnedAt: null });
    const before = { pinnedRevision: await pinnedNumber(tx, fresh.pinnedRevisionId) };
    await audit.record(actor, 'app.unpin', appTarget(app), { by: by.number, superseded: superseded.map((r) => r.number), before, after: { pinnedRevision: null } }, tx);
  }
  Object.assign(app, { pinnedRevisionId: null, pinnedBy: null, pinnedAt: null });
  return { superseded, unpinned: fresh.pinnedRevisionId !== null };
}

/** The number of the revision an app is pinned to, for the audit entry's before/after. */
export async function pinnedNumber(tx: EntityManager, revisionId: string | null): Promise<number | null> {
  if (!revisionId) return null;
  return (await tx.getRepository(Revision).findOneBy({ id: revisionId }))?.number ?? null;
}

/** Held revisions of the app (oldest first) become superseded, with their builds that never started. */
export async function supersedeHeld(tx: EntityManager, appId: string, reason: string, keep?: Revision): Promise<Revision[]> {
  const held = await tx.getRepository(Revision).find({ where: { appId, status: RevisionStatus.HELD }, order: { number: 'ASC' } });
  const superseded: Revision[] = [];
  for (const revision of held) {
    if (keep && revision.id === keep.id) continue;
    await transition(tx, revision, RevisionStatus.SUPERSEDED, { failureReason: reason });
    superseded.push(revision);
  }
  const builds = superseded.flatMap((r) => (r.buildId ? [r.buildId] : []));
  if (builds.length > 0) {
    await tx.getRepository(Build).update({ id: In(builds), status: BuildStatus.QUEUED }, { status: BuildStatus.SUPERSEDED, finishedAt: new Date() });
  }
  return superseded;
}
