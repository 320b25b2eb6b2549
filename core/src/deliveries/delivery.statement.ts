import type { EntityManager } from 'typeorm';
import { actorKindOf } from '../access/principal.js';
import { currentRequestScope } from '../audit/request-scope.js';
import { observerOf } from '../observability/observer.js';
import type { App } from '../apps/app.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Revision, RevisionStatus } from '../revisions/revision.entity.js';
import { INITIAL_REVISION_STATUS } from '../revisions/revision.lifecycle.js';
import { appLabel, SETTINGS_SNAPSHOT, type NewImageRevision } from '../revisions/revision.records.js';
import type { RevisionSettings } from '../apps/app-settings.js';
import type { DeliveryResult } from './delivery.service.js';
import type { DeliverySource } from './webhook-delivery.entity.js';
import { DeliveryOutcome } from './webhook-delivery.entity.js';

/**
 * The webhook's hot path in ONE statement (one round trip, one WAL flush): "is this image
 * already what runs?", the revision with its number and its audit entry, and the delivery row
 * that records the answer. Before, these were three statements and two commits per request,
 * and under load each extra round trip is a wait for the event loop and for the disk.
 *
 * - `live`: the app's newest revision when it is the current one, live, with this image (what
 *   DeliveryService.liveWithImage answers); then nothing is inserted and the caller answers
 *   `already-live` (and records it the ordinary way: that path is rare).
 * - `numbered` / `inserted` / `audited`: as INSERT_REVISION in revisions/revision.records.ts
 *   (the app's row lock numbers the revision and snapshots its settings; `held` while pinned).
 * - `delivered`: the delivery row with the answer the transport gives (a JSON template whose
 *   revision number is filled in here); skipped for a held revision, whose answer needs the
 *   pin's story (the caller records it).
 */
const DELIVER_IMAGE_REVISION = `
  WITH live AS (
    SELECT r.id, r.number, r.status, r.commit, r.created_at, r.settings
    FROM app a JOIN revision r ON r.id = a.current_revision_id
    WHERE a.id = $1 AND r.status = $14 AND r.image = $2
      AND NOT EXISTS (SELECT 1 FROM revision n WHERE n.app_id = a.id AND n.number > r.number)
  ), numbered AS (
    UPDATE app SET next_revision_number = next_revision_number + 1, updated_at = now()
    WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM live)
    RETURNING id, next_revision_number - 1 AS number, pinned_revision_id, ${SETTINGS_SNAPSHOT} AS settings
  ), inserted AS (
    INSERT INTO revision (app_id, number, image, commit, trigger, triggered_by, status, rollback_to_revision_id, promoted_from_revision_id, settings)
    SELECT id, number, $2, $3, $4, $5, CASE WHEN $12::boolean AND pinned_revision_id IS NOT NULL THEN $13 ELSE $6 END, $7, $8, settings FROM numbered
    RETURNING id, number, status, created_at, settings
  ), audited AS (
    INSERT INTO audit_entry (actor, action, target, details, actor_kind, project_id, app_id, source_address, request_id)
    SELECT $5, $9, $10, $11::jsonb || jsonb_build_object('revision', number, 'status', status), $21, $22, $1, $23, $24 FROM inserted
  ), delivered AS (
    INSERT INTO webhook_delivery (app_id, source, event, delivery_key, status_code, outcome, message, revision_id, response)
    SELECT $1, $15, $16, NULL, $17, $18, NULL, id, replace($19::text, $20::text, number::text)::jsonb
    FROM inserted WHERE status <> $13 AND $19::text IS NOT NULL
    RETURNING id
  )
  SELECT i.id, i.number, i.status, i.created_at, $3::text AS commit, false AS "alreadyLive", (SELECT d.id FROM delivered d) AS "deliveryId", i.settings FROM inserted i
  UNION ALL
  SELECT l.id, l.number, l.status, l.created_at, l.commit, true, NULL, l.settings FROM live l`;

/**
 * Stands for the revision number in the answer's template: it is not known before the
 * statement runs. A value no revision can have; the template is used only when it occurs
 * exactly where the number goes (see `answerTemplate`).
 */
const NUMBER_MARK = -917_364_025_318;

/** The delivery to record with a queued revision, and the answer it gets (built for any revision). */
export interface DeliveredBy {
  source: DeliverySource;
  event: string;
  /** The recorded answer for an accepted `revision` (same shape the transport sends); none: nothing recorded here (a claimed key has its row). */
  answer?: (revision: Revision) => DeliveryResult;
}

/** What the statement did. `deliveryId`: the delivery row it wrote (null when the caller still has to record one). */
export type DeliveredRevision =
  | { kind: 'inserted'; revision: Revision; deliveryId: string | null }
  | { kind: 'already-live'; revision: Revision };

type Row = { id: string; number: number; status: RevisionStatus; created_at: Date; commit: string | null; alreadyLive: boolean; deliveryId: string | null; settings: RevisionSettings | null };

/**
 * Runs DELIVER_IMAGE_REVISION for an automated delivery of an image (validated by the caller).
 * Nothing is enqueued here: the caller dispatches the revision after this commit.
 */
export async function insertDeliveredRevision(manager: EntityManager, app: App, input: NewImageRevision, by: DeliveredBy): Promise<DeliveredRevision> {
  const fields = {
    appId: app.id,
    image: input.image,
    commit: input.commit,
    trigger: input.trigger,
    triggeredBy: input.triggeredBy,
    status: INITIAL_REVISION_STATUS,
    rollbackToRevisionId: null,
    promotedFromRevisionId: null,
  };
  const template = answerTemplate(manager, fields, by);
  const scope = currentRequestScope();
  const rows: Row[] = await manager.query(DELIVER_IMAGE_REVISION, [
    app.id,
    fields.image,
    fields.commit,
    fields.trigger,
    fields.triggeredBy,
    fields.status,
    null,
    null,
    `revision.${input.trigger}`,
    appLabel(app),
    JSON.stringify({ image: input.image, commit: input.commit }),
    input.holdWhenPinned ?? false,
    RevisionStatus.HELD,
    RevisionStatus.LIVE,
    by.source,
    by.event,
    template?.statusCode ?? 0,
    template?.outcome ?? DeliveryOutcome.ACCEPTED,
    template?.json ?? null,
    String(NUMBER_MARK),
    actorKindOf(input.triggeredBy),
    app.projectId,
    scope?.sourceAddress ?? null,
    scope?.requestId ?? null,
  ]);
  const row = rows[0];
  if (!row) throw new KipperError(ErrorCode.APP_NOT_FOUND, 'The app was deleted meanwhile');
  const revision = manager.getRepository(Revision).create({
    ...fields,
    commit: row.commit,
    id: row.id,
    number: row.number,
    status: row.status,
    createdAt: row.created_at,
    settings: row.settings,
    failureReason: null,
    buildId: null,
    progress: null,
    startedAt: null,
    finishedAt: null,
    digest: null,
    imageTag: null,
  });
  if (row.alreadyLive) return { kind: 'already-live', revision };
  observerOf(manager)?.revisionTransitioned(null, row.status, { id: row.id, startedAt: null });
  return { kind: 'inserted', revision, deliveryId: row.deliveryId };
}

/**
 * The recorded answer of a queued revision with NUMBER_MARK in place of its number, as JSON
 * text; null when the mark shows up anywhere else too (an image tag that happens to contain
 * it): the caller then records the delivery with a statement of its own.
 */
function answerTemplate(manager: EntityManager, fields: Pick<Revision, 'image' | 'commit'> & { appId: string }, by: DeliveredBy) {
  if (!by.answer) return null;
  const stand = manager.getRepository(Revision).create({ ...fields, number: NUMBER_MARK, status: INITIAL_REVISION_STATUS });
  const answer = by.answer(stand);
  const json = JSON.stringify(answer.response);
  const marks = json.split(String(NUMBER_MARK)).length - 1;
  const expected = JSON.stringify(withoutMark(answer.response)).split(String(NUMBER_MARK)).length - 1;
  if (marks === 0 || expected !== 0 || answer.message !== null) return null;
  return { json, statusCode: answer.statusCode, outcome: answer.outcome };
}

/** The answer with the mark removed from every place the number goes: anything left is a mark in the caller's own text. */
function withoutMark(value: unknown): unknown {
  if (value === NUMBER_MARK) return 0;
  if (typeof value === 'string') return value.replace(`/revisions/${NUMBER_MARK}`, '/revisions/0');
  if (Array.isArray(value)) return value.map(withoutMark);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutMark(v)]));
  return value;
}
