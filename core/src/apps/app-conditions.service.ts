import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import { Revision } from '../revisions/revision.entity.js';
import { KIPPER_ACTOR } from '../revisions/revision.lifecycle.js';
import { appLabel } from '../revisions/revision.records.js';
import { webhookSecretMissingMessage } from '../webhooks/webhook.service.js';
import { App, DriftPolicy, type AppHealth } from './app.entity.js';
import { observerOf } from '../observability/observer.js';

/** Health as the cluster shows it now, before it is recorded. */
export type ObservedHealth = Omit<AppHealth, 'since'>;

/**
 * What the worker's reconciler and health watch learn from the cluster, recorded on the app:
 * health, drift (policy `report`), repairs, a missing webhook Secret. The cluster is the truth
 * for what runs; these are observations of it, each recorded only when it changes, audited as
 * done by `kipper` when Kipper acted or found a difference, and published on the app's events.
 */
export class AppConditionsService {
  constructor(private readonly deps: { dataSource: DataSource; audit: AuditService; events: EventPublisher }) {}

  /** Records the app's health when it changed; true when it did (and a `health` event went out). */
  async recordHealth(appId: string, observed: ObservedHealth): Promise<boolean> {
    const health: AppHealth = { ...observed, since: new Date().toISOString() };
    const rows = (await this.deps.dataSource.query(
      `UPDATE app SET health = $2::jsonb
        WHERE id = $1 AND (health IS NULL OR health->>'status' IS DISTINCT FROM $3 OR health->>'reason' IS DISTINCT FROM $4 OR health->>'message' IS DISTINCT FROM $5)
        RETURNING id`,
      [appId, JSON.stringify(health), health.status, health.reason, health.message],
    )) as [unknown[], number];
    if (rows[1] === 0) return false;
    const app = await this.deps.dataSource.getRepository(App).findOneBy({ id: appId });
    if (app) await this.publish(app, DeployEventType.HEALTH, describeHealth(health));
    return true;
  }

  /** The reconciler put the cluster back to the record: audited and published; any reported drift is cleared. */
  async recordRepair(app: App, repairs: string[]): Promise<void> {
    if (repairs.length === 0) return;
    const message = `repaired: ${repairs.join('; ')}`;
    await this.deps.dataSource.transaction(async (tx) => {
      await tx.getRepository(App).update(app.id, { drift: null });
      await this.deps.audit.record(KIPPER_ACTOR, 'app.repair', appLabel(app), { repairs }, tx);
    });
    observerOf(this.deps.dataSource)?.repaired(repairs);
    app.drift = null;
    await this.publish(app, DeployEventType.REPAIRED, message);
  }

  /**
   * Drift the policy says to report only (or that could not be repaired): flagged on the app,
   * audited and published once per distinct difference. Null clears a flag that no longer holds.
   */
  async recordDrift(app: App, differences: string[] | null): Promise<void> {
    const message = differences && differences.length > 0 ? `drift: ${differences.join('; ')}` : null;
    if ((app.drift?.message ?? null) === message) return;
    const drift = message ? { message, detectedAt: new Date().toISOString() } : null;
    await this.deps.dataSource.transaction(async (tx) => {
      await tx.getRepository(App).update(app.id, { drift });
      if (message) await this.deps.audit.record(KIPPER_ACTOR, 'app.drift', appLabel(app), { differences, policy: app.driftPolicy }, tx);
    });
    app.drift = drift;
    if (message) await this.publish(app, DeployEventType.DRIFT, message);
  }

  /**
   * Whether the webhook's Secret exists in the cluster (only enabled webhooks are checked).
   * Newly missing: flagged, audited and published; present again: the flag goes.
   */
  async recordWebhookSecret(app: App, present: boolean): Promise<void> {
    const result = (await this.deps.dataSource.query(
      present
        ? `UPDATE webhook SET secret_missing_since = NULL WHERE app_id = $1 AND secret_missing_since IS NOT NULL RETURNING app_id`
        : `UPDATE webhook SET secret_missing_since = now() WHERE app_id = $1 AND enabled AND secret_missing_since IS NULL RETURNING app_id`,
      [app.id],
    )) as [unknown[], number];
    if (present || result[1] === 0) return;
    const message = webhookSecretMissingMessage(app.name);
    await this.deps.audit.record(KIPPER_ACTOR, 'webhook.secret_missing', appLabel(app), {});
    await this.publish(app, DeployEventType.WEBHOOK_SECRET_MISSING, message);
  }

  /** App events name a revision: the current one, or the newest when none went live. */
  private async publish(app: App, type: DeployEventType, message: string): Promise<void> {
    const revisions = this.deps.dataSource.getRepository(Revision);
    const revision = app.currentRevisionId
      ? await revisions.findOneBy({ id: app.currentRevisionId })
      : await revisions.findOne({ where: { appId: app.id }, order: { number: 'DESC' } });
    if (revision) await this.deps.events.revisionChanged(revision, app, type, message);
  }
}

/** One line for people: `Degraded: CrashLoopBackOff (2/3 pods crash-looping)`. */
export function describeHealth(health: Pick<AppHealth, 'status' | 'reason' | 'message'>): string {
  const reason = health.reason ? `: ${health.reason}` : '';
  const message = health.message ? ` (${health.message})` : '';
  return `${health.status}${reason}${message}`;
}

/** Whether the reconciler puts drift back (the default) or only reports it. */
export function repairsDrift(app: Pick<App, 'driftPolicy'>): boolean {
  return app.driftPolicy !== DriftPolicy.REPORT;
}
