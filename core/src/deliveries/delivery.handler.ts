import type { EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { describeError } from '../logger.js';
import { RevisionStatus, RevisionTrigger, type Revision } from '../revisions/revision.entity.js';
import { appLabel } from '../revisions/revision.records.js';
import type { RevisionService } from '../revisions/revision.service.js';
import type { CiIdentityService } from '../keyless/ci-identity.service.js';
import type { CiIdentity } from '../keyless/ci-token.verifier.js';
import { ciActor } from '../keyless/webhook-trust.rules.js';
import { webhookSecretMissingMessage, type WebhookService } from '../webhooks/webhook.service.js';
import type { DeliveryResult, DeliveryService } from './delivery.service.js';
import { interpretDelivery, type DeliveryEvent, type WebhookIntent } from './delivery.intent.js';
import { refusalOf, type FreshOutcome, type Respond, type WebhookOutcome } from './delivery.outcome.js';
import { DeliveryOutcome, type WebhookDelivery } from './webhook-delivery.entity.js';

/** A delivery as the transport hands it over: authenticated, its body parsed. */
export interface ParsedDelivery extends DeliveryEvent {
  /** The app whose credentials the request carried. */
  app: App;
  /** X-GitHub-Delivery, X-Gitlab-Event-UUID or Idempotency-Key: a repeat gets the first answer. */
  key: string | undefined;
  body: unknown;
  /** A keyless CI delivery: the identity its OIDC token proved (the revision is triggered by `ci:SUBJECT`, the token's jti is used up). */
  ci?: CiIdentity | undefined;
}

/**
 * The part of RevisionService a delivery uses; both commit the revision and enqueue its job
 * before returning (a revision held while the app is pinned gets no job, and `heldReason` says why).
 */
export type DeliveryRevisions = Pick<RevisionService, 'deployImage' | 'requestBuild' | 'heldReason'> &
  /** When there: an image delivery is checked, inserted and recorded in one statement (the hot path). */
  Partial<Pick<RevisionService, 'deployDeliveredImage'>>;

export interface DeliveryHandlerDeps {
  revisions: DeliveryRevisions;
  deliveries: DeliveryService;
  webhooks: Pick<WebhookService, 'revisionUrl'>;
  respond: Respond;
  /** Uses up keyless CI tokens' jti (needed for deliveries with `ci`). */
  ciIdentities?: Pick<CiIdentityService, 'consume'>;
  /** How long a repeat waits for the same delivery, still running elsewhere, to answer. Default 10 s. */
  duplicateWaitMs?: number;
  /** Where failures that do not change the answer are reported. Default console.error. */
  log?: (message: string) => void;
}

/** An outcome and the delivery row that records it. */
interface Handled {
  outcome: FreshOutcome;
  record: DeliveryResult;
  /** A delivery row the deploy already wrote: `written` when it holds `record`, else the row to correct with it. */
  row?: { id: string; written: boolean };
}

const STILL_RUNNING = 'A delivery with this key is still being handled: retry in a few seconds to get its answer';

/**
 * Handles one authenticated webhook delivery, at most once per key:
 * 1. A key answered before gets that answer again (`replayed`).
 * 2. What the delivery asks for is worked out; a refusal here writes nothing.
 * 3. The key is claimed (unique on app + key); a concurrent identical delivery waits for the
 *    winner's answer, or is refused with CONFLICT when the winner takes too long.
 * 4. The deploy or build runs and its answer is recorded under the claim.
 * 5. A failure releases the claim, so a fixed retry works. Except QUEUE_UNAVAILABLE once the
 *    revision is committed: recorded as accepted, so a retry cannot create a second revision.
 * Never throws: every failure is a `refused` outcome.
 */
export class DeliveryHandler {
  constructor(private readonly deps: DeliveryHandlerDeps) {}

  async handle(delivery: ParsedDelivery): Promise<WebhookOutcome> {
    try {
      return await this.handleOnce(delivery);
    } catch (err) {
      return refusalOf(err);
    }
  }

  private async handleOnce(delivery: ParsedDelivery): Promise<WebhookOutcome> {
    const { app, key } = delivery;
    if (key !== undefined) {
      const earlier = await this.deps.deliveries.findByKey(app.id, key);
      if (earlier && earlier.outcome !== DeliveryOutcome.PENDING) return this.replay(app, earlier);
    }
    const intent = interpretDelivery(app, delivery, delivery.body);
    if (key === undefined) return this.run(delivery, intent, undefined);
    const claim = await this.deps.deliveries.claim(app.id, key, delivery.source, delivery.event, this.deps.duplicateWaitMs ?? 10_000);
    if (claim.won) return this.run(delivery, intent, claim.id);
    if (claim.delivery) return this.replay(app, claim.delivery);
    return { kind: 'refused', code: ErrorCode.CONFLICT, message: STILL_RUNNING };
  }

  private async run(delivery: ParsedDelivery, intent: WebhookIntent, claimId: string | undefined): Promise<FreshOutcome> {
    let handled: Handled;
    try {
      handled = await this.execute(delivery, intent, claimId);
    } catch (err) {
      if (claimId !== undefined) await this.release(delivery.app, claimId);
      throw err;
    }
    if (!handled.row?.written) await this.record(delivery, handled.row?.id ?? claimId, handled.record);
    return handled.outcome;
  }

  private async execute(delivery: ParsedDelivery, intent: WebhookIntent, claimId: string | undefined): Promise<Handled> {
    switch (intent.kind) {
      case 'ping':
        await this.useUpAlone(delivery);
        return this.handled({ kind: 'ping' }, DeliveryOutcome.IGNORED, 'ping', null);
      case 'ignore':
        await this.useUpAlone(delivery);
        return this.handled({ kind: 'ignored', reason: intent.reason }, DeliveryOutcome.IGNORED, intent.reason, null);
      case 'deploy-image':
      case 'build':
        return this.deploy(delivery, intent, claimId);
    }
  }

  private async deploy(delivery: ParsedDelivery, intent: Extract<WebhookIntent, { kind: 'deploy-image' | 'build' }>, claimId: string | undefined): Promise<Handled> {
    const { app } = delivery;
    const { ci } = delivery;
    const input = {
      commit: intent.commit ?? null,
      trigger: RevisionTrigger.WEBHOOK,
      triggeredBy: ci ? ciActor(ci.subject) : `webhook:${delivery.source}`,
      ...(ci ? { withRevision: (manager: EntityManager) => this.ciIdentities().consume(ci, manager) } : {}),
    };
    try {
      if (intent.kind === 'build') return await this.acceptedOrHeld(app, await this.deps.revisions.requestBuild(app, input));
      // A keyless token is used up in its revision's own transaction, which the one statement has not.
      if (this.deps.revisions.deployDeliveredImage && !ci) return await this.deployInOneStatement(delivery, { ...input, image: intent.image }, claimId);
      // A signed push replayed under a new delivery id, or CI re-running a job: costs nothing.
      const live = await this.deps.deliveries.liveWithImage(app, intent.image);
      if (live) {
        await this.useUpAlone(delivery);
        return this.alreadyLive(app, live);
      }
      return await this.acceptedOrHeld(app, await this.deps.revisions.deployImage(app, { ...input, image: intent.image }));
    } catch (err) {
      if (err instanceof KipperError && err.code === ErrorCode.ENVIRONMENT_FROZEN) await this.recordFrozen(delivery, err);
      const revisionId = committedRevisionId(err);
      if (revisionId === undefined) throw err;
      // The sweeper will queue the committed revision: the refusal is answered, but the
      // delivery counts as accepted, and its message marks the answer to bring up to date.
      const refusal = refusalOf(err);
      const written = writtenDeliveryId(err);
      return { ...this.handled(refusal, DeliveryOutcome.ACCEPTED, refusal.message, revisionId), ...(written ? { row: { id: written, written: false } } : {}) };
    }
  }

  /** A keyless delivery that deploys nothing still uses its token up (on its own: there is no revision to commit it with). */
  private async useUpAlone(delivery: ParsedDelivery): Promise<void> {
    if (delivery.ci) await this.ciIdentities().consume(delivery.ci);
  }

  private ciIdentities(): Pick<CiIdentityService, 'consume'> {
    if (!this.deps.ciIdentities) throw new Error('DeliveryHandler: a keyless delivery needs ciIdentities');
    return this.deps.ciIdentities;
  }

  /**
   * The hot path: whether the image already runs, the revision and (without a key) the delivery
   * record are one statement; the answer recorded there is the one built here for a queued revision.
   */
  private async deployInOneStatement(delivery: ParsedDelivery, input: Parameters<RevisionService['deployImage']>[1], claimId: string | undefined): Promise<Handled> {
    const { app } = delivery;
    const answer = claimId === undefined ? (revision: Revision) => this.handled(this.accepted(app, revision), DeliveryOutcome.ACCEPTED, null, revision.id).record : undefined;
    const result = await this.deps.revisions.deployDeliveredImage!(app, input, { source: delivery.source, event: delivery.event, answer });
    if (result.kind === 'already-live') return this.alreadyLive(app, result.revision);
    const handled = await this.acceptedOrHeld(app, result.revision);
    return result.deliveryId ? { ...handled, row: { id: result.deliveryId, written: true } } : handled;
  }

  private alreadyLive(app: App, live: Revision): Handled {
    return this.handled({ ...this.accepted(app, live), kind: 'already-live' }, DeliveryOutcome.ALREADY_LIVE, `${live.image ?? 'The image'} is already live (revision #${live.number})`, live.id);
  }

  /**
   * A delivery into a frozen environment: refused (ENVIRONMENT_FROZEN, HTTP 423) and recorded,
   * with the freeze's reason, so the app's owner sees in the delivery log why CI's deploy did not
   * happen. Without its key: once unfrozen, a retry of the same delivery must be handled.
   */
  private async recordFrozen(delivery: ParsedDelivery, err: KipperError): Promise<void> {
    const refusal = { kind: 'refused', code: err.code, message: err.message } as const;
    const { record } = this.handled(refusal, DeliveryOutcome.REFUSED, err.message, null);
    await this.deps.deliveries
      .record({ ...record, appId: delivery.app.id, source: delivery.source, event: delivery.event, deliveryKey: null })
      .catch((error: unknown) => this.log(delivery.app, 'could not record the refused delivery', error));
  }

  private async acceptedOrHeld(app: App, revision: Revision): Promise<Handled> {
    if (revision.status === RevisionStatus.AWAITING_APPROVAL) {
      const reason = `Revision #${revision.number} awaits approval: it rolls out once enough approvers approve it (kip approvals)`;
      return this.handled({ ...this.accepted(app, revision), message: reason }, DeliveryOutcome.HELD, reason, revision.id);
    }
    if (revision.status === RevisionStatus.HELD) {
      // Pinned by a rollback: recorded, nothing deployed; the answer and the delivery log say why.
      const reason = (await this.deps.revisions.heldReason(app, revision)) ?? `Revision #${revision.number} is held`;
      return this.handled({ ...this.accepted(app, revision), message: reason }, DeliveryOutcome.HELD, reason, revision.id);
    }
    return this.handled(this.accepted(app, revision), DeliveryOutcome.ACCEPTED, null, revision.id);
  }

  /**
   * A GitHub-signed delivery for an app whose webhook Secret is gone: the signature cannot be
   * checked, so it is refused (WEBHOOK_SECRET_MISSING), and recorded so that the owner sees why
   * in the delivery log. Without its key: once a new token is issued, GitHub's redelivery of the
   * same delivery must be handled, not replayed.
   */
  async refuseUnverifiable(app: App, event: DeliveryEvent): Promise<WebhookOutcome> {
    const refusal = { kind: 'refused', code: ErrorCode.WEBHOOK_SECRET_MISSING, message: webhookSecretMissingMessage(app.name) } as const;
    const { record } = this.handled(refusal, DeliveryOutcome.REFUSED, refusal.message, null);
    await this.deps.deliveries
      .record({ ...record, appId: app.id, source: event.source, event: event.event, deliveryKey: null })
      .catch((err: unknown) => this.log(app, 'could not record the refused delivery', err));
    return refusal;
  }

  /**
   * A repeated delivery: the first answer again. One accepted while the queue was down was
   * answered QUEUE_UNAVAILABLE although its revision is committed: a repeat is answered as
   * accepted, with the revision as it is now, and that becomes the recorded answer.
   */
  private async replay(app: App, earlier: WebhookDelivery): Promise<WebhookOutcome> {
    const revision = answeredWhileQueueDown(earlier) ? await this.deps.deliveries.revisionOf(earlier) : null;
    if (!revision) return { kind: 'replayed', response: { statusCode: earlier.statusCode, body: earlier.response } };
    const { record } = this.handled(this.accepted(app, revision), DeliveryOutcome.ACCEPTED, null, revision.id);
    await this.deps.deliveries.complete(earlier.id, record).catch((err: unknown) => this.log(app, 'could not update a replayed delivery', err));
    return { kind: 'replayed', response: { statusCode: record.statusCode, body: record.response } };
  }

  private accepted(app: App, revision: Revision): Extract<FreshOutcome, { kind: 'accepted' }> {
    return {
      kind: 'accepted',
      app: appLabel(app),
      revision: { number: revision.number, status: revision.status, image: revision.image, commit: revision.commit },
      statusUrl: this.deps.webhooks.revisionUrl(app, revision.number),
    };
  }

  private handled(outcome: FreshOutcome, recordedAs: DeliveryResult['outcome'], message: string | null, revisionId: string | null): Handled {
    const { statusCode, body } = this.deps.respond(outcome);
    return { outcome, record: { statusCode, outcome: recordedAs, message, revisionId, response: body } };
  }

  /** Into its row (the claim, or the one the deploy wrote), or as a row of its own. The revision is committed and queued either way, so a failure here only goes to the log. */
  private async record(delivery: ParsedDelivery, rowId: string | undefined, result: DeliveryResult): Promise<void> {
    const { app, source, event } = delivery;
    try {
      if (rowId !== undefined) await this.deps.deliveries.complete(rowId, result);
      else await this.deps.deliveries.record({ ...result, appId: app.id, source, event, deliveryKey: null });
    } catch (err) {
      this.log(app, 'could not record the delivery', err);
    }
  }

  private async release(app: App, claimId: string): Promise<void> {
    await this.deps.deliveries.release(claimId).catch((err: unknown) => this.log(app, 'could not release a delivery key', err));
  }

  private log(app: App, what: string, err: unknown): void {
    (this.deps.log ?? console.error)(`webhook ${appLabel(app)}: ${what}: ${describeError(err)}`);
  }
}

/** QUEUE_UNAVAILABLE after the revision was committed: the id of that revision. */
function committedRevisionId(err: unknown): string | undefined {
  if (!(err instanceof KipperError) || err.code !== ErrorCode.QUEUE_UNAVAILABLE) return undefined;
  const id = err.details?.revisionId;
  return typeof id === 'string' ? id : undefined;
}

/** The delivery row written with a revision whose job could not be queued (QUEUE_UNAVAILABLE), if any. */
function writtenDeliveryId(err: unknown): string | undefined {
  const id = err instanceof KipperError ? err.details?.deliveryId : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** An accepted delivery keeps a message only when it was answered with a refusal: the queue was down. */
function answeredWhileQueueDown(delivery: WebhookDelivery): boolean {
  return delivery.outcome === DeliveryOutcome.ACCEPTED && delivery.revisionId !== null && delivery.message !== null;
}
