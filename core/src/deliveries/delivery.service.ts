import { setTimeout as sleep } from 'node:timers/promises';
import { Not, type DataSource } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import { Revision, RevisionStatus } from '../revisions/revision.entity.js';
import { DeliveryOutcome, DeliverySource, WebhookDelivery } from './webhook-delivery.entity.js';

/** What a finished delivery answered: kept so a repeat gets the very same answer. */
export interface DeliveryResult {
  statusCode: number;
  outcome: DeliveryOutcome.ACCEPTED | DeliveryOutcome.ALREADY_LIVE | DeliveryOutcome.IGNORED | DeliveryOutcome.HELD | DeliveryOutcome.REFUSED;
  message: string | null;
  revisionId: string | null;
  response: unknown;
}

export interface DeliveryInput extends DeliveryResult {
  appId: string;
  source: DeliverySource;
  event: string;
  deliveryKey: string | null;
}

/** The outcome of claiming a delivery key. */
export type Claim =
  | { won: true; id: string }
  /** Another request holds or finished the key: its finished delivery, or null when it gave up. */
  | { won: false; delivery: WebhookDelivery | null };

/** A pending claim older than this belongs to a process that died; a repeat may take it over. */
const STALE_CLAIM_MS = 2 * 60_000;
/**
 * Webhook deliveries that passed authentication: the history shown per app, and the
 * de-duplication of repeated deliveries by key (unique on app + key). Never holds a token.
 */
export class DeliveryService {
  constructor(private readonly deps: { dataSource: DataSource }) {}

  private get repo() {
    return this.deps.dataSource.getRepository(WebhookDelivery);
  }

  /** Newest first, at most `first` (1–100). */
  async recent(appId: string, first = 20): Promise<WebhookDelivery[]> {
    return this.repo.find({
      where: { appId, outcome: Not(DeliveryOutcome.PENDING) },
      order: { receivedAt: 'DESC', id: 'DESC' },
      take: Math.min(Math.max(Math.trunc(first) || 20, 1), 100),
    });
  }

  /** The delivery recorded under a key (possibly still pending), or null. */
  async findByKey(appId: string, key: string): Promise<WebhookDelivery | null> {
    return this.repo.findOneBy({ appId, deliveryKey: key });
  }

  /**
   * Records a finished delivery that had no key. One INSERT without a transaction around it
   * (save() would add one): this is on the webhook's hot path.
   */
  async record(input: DeliveryInput): Promise<void> {
    await this.repo.insert({ ...input, response: input.response as object });
  }

  /**
   * Claims a delivery key before the work is done, so of two concurrent identical deliveries
   * exactly one does the work. The loser waits (up to `waitMs`) for the winner's response.
   */
  async claim(appId: string, key: string, source: DeliverySource, event: string, waitMs = 10_000): Promise<Claim> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const inserted = await this.deps.dataSource
        .createQueryBuilder()
        .insert()
        .into(WebhookDelivery)
        .values({ appId, deliveryKey: key, source, event, statusCode: 0, outcome: DeliveryOutcome.PENDING, message: null, revisionId: null, response: {} })
        .orIgnore()
        .returning(['id'])
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (id) return { won: true, id };

      const existing = await this.findByKey(appId, key);
      if (existing && existing.outcome !== DeliveryOutcome.PENDING) return { won: false, delivery: existing };
      if (existing && Date.now() - existing.receivedAt.getTime() > STALE_CLAIM_MS) {
        // The claimant died mid-way: drop its claim and try again.
        await this.repo.delete({ id: existing.id, outcome: DeliveryOutcome.PENDING });
        continue;
      }
      if (Date.now() >= deadline) return { won: false, delivery: null };
      await sleep(50);
    }
  }

  /** Turns a claim into the finished delivery. */
  async complete(id: string, result: DeliveryResult): Promise<void> {
    await this.repo.update({ id }, { ...result, response: result.response as object });
  }

  /** The revision a delivery created, as it is now; null when it has none (or it is gone). */
  async revisionOf(delivery: Pick<WebhookDelivery, 'appId' | 'revisionId'>): Promise<Revision | null> {
    if (delivery.revisionId === null) return null;
    return this.deps.dataSource.getRepository(Revision).findOneBy({ appId: delivery.appId, id: delivery.revisionId });
  }

  /**
   * The app's newest revision when it is the one running `image`: live, current, and nothing
   * asked for after it. A delivery of that image again would deploy nothing new.
   */
  async liveWithImage(app: Pick<App, 'id' | 'currentRevisionId'>, image: string): Promise<Revision | null> {
    if (app.currentRevisionId === null) return null;
    const [newest] = await this.deps.dataSource.getRepository(Revision).find({ where: { appId: app.id }, order: { number: 'DESC' }, take: 1 });
    const running = newest?.id === app.currentRevisionId && newest.status === RevisionStatus.LIVE && newest.image === image;
    return running ? newest : null;
  }

  /** Gives a claim up (the request was refused or failed): a retry with the same key starts afresh. */
  async release(id: string): Promise<void> {
    await this.repo.delete({ id, outcome: DeliveryOutcome.PENDING });
  }
}
