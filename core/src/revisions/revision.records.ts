import type { EntityManager } from 'typeorm';
import { actorKindOf } from '../access/principal.js';
import { currentRequestScope } from '../audit/request-scope.js';
import type { App } from '../apps/app.entity.js';
import type { RevisionSettings } from '../apps/app-settings.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import { INITIAL_REVISION_STATUS } from './revision.lifecycle.js';
import { Revision, RevisionStatus, type RevisionTrigger } from './revision.entity.js';
import { observerOf } from '../observability/observer.js';

/** A new revision of an image (the image and commit already validated by the caller). */
export interface NewImageRevision {
  image: string;
  commit: string | null;
  trigger: RevisionTrigger;
  triggeredBy: string;
  rollbackToRevisionId?: string | null;
  promotedFromRevisionId?: string | null;
  /** Automated deliveries (webhooks, git watch): recorded `held` instead of `queued` while the app is pinned. */
  holdWhenPinned?: boolean;
  /** The environment requires approvals: recorded `awaiting_approval` (before any pin is looked at). */
  awaitingApproval?: boolean;
  /** Promotions: the tag people know the pinned `image` (`repo@sha256:…`) by. */
  imageTag?: string | null;
}

/**
 * The app row's settings as a revision's snapshot (RevisionSettings), in SQL: read under the
 * same row lock that numbers the revision, so the snapshot is what the app had at that moment.
 */
export const SETTINGS_SNAPSHOT = `jsonb_build_object('port', port, 'replicas', replicas, 'host', host, 'env', env, 'envSecret', env_secret_name)`;

/**
 * A revision, its number and its audit entry in ONE statement: the UPDATE takes the app's row
 * lock, so numbers never collide, and everything commits together. It is the webhook's hot
 * path: one round trip to PostgreSQL instead of a transaction of six (see `npm run bench`).
 * Whether the app is pinned is read under that same lock, so a delivery racing a rollback is
 * either held or was queued before the pin. A rollback (`$7`, the revision it goes back to) puts
 * that revision's pod template (port, env and its Secret) back on the app first, so the new
 * revision runs the target's image AND settings; targets recorded before snapshots keep the app's.
 */
const INSERT_REVISION = `
  WITH target AS (
    SELECT settings FROM revision WHERE id = $7::uuid AND settings IS NOT NULL
  ), numbered AS (
    UPDATE app SET next_revision_number = next_revision_number + 1, updated_at = now(),
      port = COALESCE((SELECT (settings->>'port')::int FROM target), port),
      env = COALESCE((SELECT settings->'env' FROM target), env),
      env_secret_name = CASE WHEN EXISTS (SELECT 1 FROM target) THEN (SELECT settings->>'envSecret' FROM target) ELSE env_secret_name END
    WHERE id = $1
    RETURNING id, next_revision_number - 1 AS number, pinned_revision_id, ${SETTINGS_SNAPSHOT} AS settings
  ), inserted AS (
    INSERT INTO revision (app_id, number, image, commit, trigger, triggered_by, status, rollback_to_revision_id, promoted_from_revision_id, image_tag, settings)
    SELECT id, number, $2, $3, $4, $5,
      CASE WHEN $18::boolean THEN $19 WHEN $12::boolean AND pinned_revision_id IS NOT NULL THEN $13 ELSE $6 END, $7, $8, $20, settings FROM numbered
    RETURNING id, number, status, created_at, settings
  ), audited AS (
    INSERT INTO audit_entry (actor, action, target, details, actor_kind, project_id, app_id, source_address, request_id)
    SELECT $5, $9, $10, $11::jsonb || jsonb_build_object('revision', number, 'status', status), $14, $15, $1, $16, $17 FROM inserted
  )
  SELECT id, number, status, created_at, settings FROM inserted`;

export function appLabel(app: Pick<App, 'namespace' | 'name'>): string {
  return `${app.namespace}/${app.name}`;
}

/**
 * Records a queued revision of an image, with its audit entry `revision.{trigger}`, through
 * `manager`: on its own (the api) or inside a caller's transaction (a failure and the automatic
 * rollback it implies). Nothing is enqueued here: see dispatchRevision, after the commit.
 */
export async function insertImageRevision(manager: EntityManager, app: App, input: NewImageRevision): Promise<Revision> {
  const fields = {
    appId: app.id,
    image: input.image,
    commit: input.commit,
    trigger: input.trigger,
    triggeredBy: input.triggeredBy,
    status: INITIAL_REVISION_STATUS,
    rollbackToRevisionId: input.rollbackToRevisionId ?? null,
    promotedFromRevisionId: input.promotedFromRevisionId ?? null,
    imageTag: input.imageTag ?? null,
  };
  const details = { image: input.image, commit: input.commit, ...references(fields), ...(fields.imageTag ? { imageTag: fields.imageTag } : {}) };
  const scope = currentRequestScope();
  const rows: { id: string; number: number; status: RevisionStatus; created_at: Date; settings: RevisionSettings }[] = await manager.query(INSERT_REVISION, [
    app.id,
    fields.image,
    fields.commit,
    fields.trigger,
    fields.triggeredBy,
    fields.status,
    fields.rollbackToRevisionId,
    fields.promotedFromRevisionId,
    `revision.${input.trigger}`,
    appLabel(app),
    JSON.stringify(details),
    input.holdWhenPinned ?? false,
    RevisionStatus.HELD,
    actorKindOf(input.triggeredBy),
    app.projectId,
    scope?.sourceAddress ?? null,
    scope?.requestId ?? null,
    input.awaitingApproval ?? false,
    RevisionStatus.AWAITING_APPROVAL,
    fields.imageTag,
  ]);
  const inserted = rows[0];
  if (!inserted) throw new KipperError(ErrorCode.APP_NOT_FOUND, 'The app was deleted meanwhile');
  observerOf(manager)?.revisionTransitioned(null, inserted.status, { id: inserted.id, startedAt: null });
  return manager.getRepository(Revision).create({
    ...fields,
    id: inserted.id,
    number: inserted.number,
    status: inserted.status,
    createdAt: inserted.created_at,
    settings: inserted.settings,
    failureReason: null,
    buildId: null,
    progress: null,
    startedAt: null,
    finishedAt: null,
    digest: null,
  });
}

function references(fields: { rollbackToRevisionId: string | null; promotedFromRevisionId: string | null }): Record<string, string> {
  const out: Record<string, string> = {};
  if (fields.rollbackToRevisionId) out.rollbackToRevisionId = fields.rollbackToRevisionId;
  if (fields.promotedFromRevisionId) out.promotedFromRevisionId = fields.promotedFromRevisionId;
  return out;
}

const ENQUEUE_DELAYS_MS = [100, 400];

/**
 * After the commit of a new revision: enqueue its app's job (a few tries) and tell subscribers,
 * both at once (one Redis round trip with auto-pipelining instead of two in a row: the webhook
 * answers after both). Resolves with the last enqueue error when every try failed (the row stays
 * queued and the worker's sweeper enqueues it later), undefined when the job is on the queue. A
 * held revision has no work yet: subscribers hear of it, nothing is enqueued.
 */
export async function dispatchRevision(deps: { queue: JobQueue; events: EventPublisher }, app: App, revision: Revision, heldMessage?: string): Promise<unknown> {
  if (revision.status === RevisionStatus.HELD) {
    await deps.events.revisionChanged(revision, app, DeployEventType.HELD, heldMessage ?? null);
    return undefined;
  }
  if (revision.status === RevisionStatus.AWAITING_APPROVAL) {
    await deps.events.revisionChanged(revision, app, DeployEventType.AWAITING_APPROVAL, heldMessage ?? null);
    return undefined;
  }
  const [lastError] = await Promise.all([enqueueDeploy(deps.queue, app, revision), deps.events.revisionChanged(revision, app, DeployEventType.QUEUED, null)]);
  return lastError;
}

async function enqueueDeploy(queue: JobQueue, app: App, revision: Revision): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= ENQUEUE_DELAYS_MS.length; attempt++) {
    try {
      await queue.enqueue({ name: 'app.deploy', data: { appId: app.id, revisionId: revision.id } });
      return undefined;
    } catch (err) {
      lastError = err;
      const delay = ENQUEUE_DELAYS_MS[attempt];
      if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return lastError;
}
