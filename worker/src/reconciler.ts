import { App, Revision, RevisionStatus, UNFINISHED_STATUSES, Webhook, appWorkload, repairsDrift, type AppConditionsService, type HealthStatus, type Logger, type RevisionSettings } from '@kipper/core';
import { isNotManaged, type AppObjects, type Cluster } from '@kipper/kube';
import { In, type DataSource } from 'typeorm';
import { AdvisoryLock, LockClass } from './app-lock.js';
import { REVISION_ANNOTATION } from './deployer.js';
import { compareApp, describeDifferences, describeForeign, type Comparison, type DesiredState } from './drift.js';
import { isAppGone } from './errors.js';
import { appExists, assertAppExists } from './lifecycles.js';

/**
 * How much of an app to look at: `health` (a pod or ReplicaSet changed), `objects` (health, and
 * the Deployment / Service / Ingress against the record), `full` (all that and the webhook Secret).
 */
export type ReconcileScope = 'health' | 'objects' | 'full';

const target = (app: Pick<App, 'namespace' | 'name'>) => `${app.namespace}/${app.name}`;

/**
 * The image Kipper last put on the cluster: the current revision's, unless a newer rollout failed
 * and was left in place on purpose (auto rollback off, or the failed one was the automatic
 * rollback): putting the old image back would be a rollback nobody asked for.
 */
const DESIRED_SQL = `
  SELECT r.image, r.number, r.settings FROM revision r
   WHERE r.app_id = $1 AND r.image IS NOT NULL AND r.started_at IS NOT NULL
     AND (r.id = $2 OR (NOT $5::boolean AND r.status = $3 AND r.number > $4))
   ORDER BY r.number DESC LIMIT 1`;

/**
 * Keeps one app's cluster objects matching the record and records what it sees (core's
 * AppConditionsService audits and publishes each change):
 *  - health, from the Deployment, ReplicaSets and pods (every app);
 *  - objects, for apps with a live current revision and no unfinished one, under the app's deploy
 *    lock (skipped when busy: a rollout owns the app): missing objects recreated, an image or
 *    replica count changed behind Kipper's back put back (drift policy `repair`) or flagged
 *    (`report`); objects Kipper did not create are never touched, only reported;
 *  - the webhook Secret of an enabled webhook: flagged when missing (it cannot be recreated: the
 *    database holds only the token's hash).
 */
export class Reconciler {
  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    private readonly conditions: AppConditionsService,
    private readonly options: { progressDeadlineSeconds: number },
    private readonly log: Logger,
  ) {}

  /**
   * Reconciles the app `namespace/name` (nothing when there is no such app). Returns the app when
   * the pass wrote to the cluster: the caller looks again a moment later (removeIfDeleted), since
   * AppService.delete removes the objects before the row, and a pass in between recreates them.
   */
  async reconcile(namespace: string, name: string, scope: ReconcileScope): Promise<App | null> {
    const app = await this.db.getRepository(App).findOneBy({ namespace, name });
    if (!app) return null;
    const health = await this.cluster.readHealth(namespace, name);
    await this.conditions.recordHealth(app.id, { ...health, status: health.status as HealthStatus });
    if (scope === 'health') return null;
    if (scope === 'full') await this.checkWebhookSecret(app);
    return (await this.reconcileObjects(app)) ? app : null;
  }

  private async checkWebhookSecret(app: App): Promise<void> {
    const webhook = await this.db.getRepository(Webhook).findOneBy({ appId: app.id });
    if (!webhook?.enabled) return;
    const token = await this.cluster.readWebhookToken(app.namespace, app.name);
    await this.conditions.recordWebhookSecret(app, token !== null);
  }

  private async hasUnfinished(app: App): Promise<boolean> {
    return this.db.getRepository(Revision).exists({ where: { appId: app.id, status: In(UNFINISHED_STATUSES) } });
  }

  /** True when it wrote to the cluster. */
  private async reconcileObjects(candidate: App): Promise<boolean> {
    if (!candidate.currentRevisionId || (await this.hasUnfinished(candidate))) return false;
    const lock = await AdvisoryLock.tryAcquire(this.db, LockClass.APP_DEPLOY, candidate.id);
    if (!lock) return false;
    let wrote = false;
    try {
      // Under the lock nothing starts rolling out; re-read what may have changed before it.
      const app = await this.db.getRepository(App).findOneBy({ id: candidate.id });
      if (!app?.currentRevisionId || (await this.hasUnfinished(app))) return false;
      const desired = await this.desired(app);
      if (!desired) return false;
      const objects = await this.cluster.readAppObjects(app.namespace, app.name);
      const comparison = compareApp(objects, desired);
      const refusals = describeForeign(comparison, desired);
      const repairs: string[] = [];
      let differences: string[] = [];
      try {
        wrote = await this.recreate(app, desired, objects, comparison, repairs);
        if (repairsDrift(app)) wrote = (await this.putBack(app, desired, comparison, repairs)) || wrote;
        else differences = describeDifferences(comparison);
      } catch (error) {
        if (!isNotManaged(error)) throw error;
        refusals.push((error as Error).message);
      } finally {
        if (repairs.length > 0) {
          await this.conditions.recordRepair(app, repairs);
          this.log.info(`${target(app)}: repaired: ${repairs.join('; ')}`, { app: target(app) });
        }
      }
      const flagged = [...differences, ...refusals];
      await this.conditions.recordDrift(app, flagged.length > 0 ? flagged : null);
    } catch (error) {
      if (!isAppGone(error)) throw error;
    } finally {
      await lock.release();
      if (wrote) await this.removeIfDeleted(candidate);
    }
    return wrote;
  }

  private async desired(app: App): Promise<DesiredState | null> {
    const current = await this.db.getRepository(Revision).findOneBy({ id: app.currentRevisionId! });
    if (!current?.image) return null;
    const rows = (await this.db.query(DESIRED_SQL, [app.id, current.id, RevisionStatus.FAILED, current.number, app.autoRollback])) as {
      image: string;
      number: number;
      settings: RevisionSettings | null;
    }[];
    const chosen = rows[0] ?? { image: current.image, number: current.number, settings: current.settings };
    return { namespace: app.namespace, name: app.name, image: chosen.image, replicas: app.replicas, host: app.host, revision: chosen.number, settings: chosen.settings };
  }

  /**
   * Missing objects come back from the record (under either drift policy: a missing object is an
   * outage, not a change someone made on purpose). Objects that exist keep their observed image,
   * replicas and host here; whether those go back is the drift policy's decision (putBack).
   */
  private async recreate(app: App, desired: DesiredState, objects: AppObjects, c: Comparison, repairs: string[]): Promise<boolean> {
    if (c.missing.length === 0) return false;
    const workload = appWorkload(app, desired.image, this.options.progressDeadlineSeconds, desired.settings);
    if (objects.deployment?.managed) workload.replicas = objects.deployment.replicas;
    if (c.host) workload.host = c.host.actual;
    await assertAppExists(this.db, app.id);
    await this.cluster.ensureNamespace(app.namespace);
    await assertAppExists(this.db, app.id);
    await this.cluster.ensureApp(workload);
    if (c.missing.includes('Deployment')) {
      await assertAppExists(this.db, app.id);
      await this.cluster.setImage(app.namespace, app.name, desired.image, { [REVISION_ANNOTATION]: String(desired.revision) });
    }
    repairs.push(...c.missing.map((kind) => `recreated ${kind}`));
    return true;
  }

  /** Drift policy `repair`: image, replicas and Ingress host go back to the record. */
  private async putBack(app: App, desired: DesiredState, c: Comparison, repairs: string[]): Promise<boolean> {
    let wrote = false;
    if (c.image) {
      await assertAppExists(this.db, app.id);
      await this.cluster.setImage(app.namespace, app.name, desired.image, { [REVISION_ANNOTATION]: String(desired.revision) });
      repairs.push(`image put back to ${desired.image} (was ${c.image.actual ?? 'none'})`);
      wrote = true;
    }
    if (c.replicas) {
      await assertAppExists(this.db, app.id);
      await this.cluster.setReplicas(app.namespace, app.name, desired.replicas);
      repairs.push(`replicas put back to ${desired.replicas} (was ${c.replicas.actual})`);
      wrote = true;
    }
    if (c.host) {
      await assertAppExists(this.db, app.id);
      await this.cluster.ensureApp(appWorkload(app, desired.image, this.options.progressDeadlineSeconds, desired.settings));
      repairs.push(c.host.wanted ? `Ingress host put back to ${c.host.wanted} (was ${c.host.actual ?? 'none'})` : 'removed the Ingress of a host the app no longer has');
      wrote = true;
    }
    return wrote;
  }

  /** The app was deleted while a pass wrote to the cluster: what it (re)created goes again. */
  async removeIfDeleted(app: App): Promise<void> {
    try {
      if (await appExists(this.db, app.id)) return;
      await this.cluster.deleteApp(app.namespace, app.name);
      this.log.info(`${target(app)}: the app was deleted during a reconcile pass; removed what the pass had recreated`, { app: target(app) });
    } catch (error) {
      this.log.warn(`${target(app)}: the app was deleted during a reconcile pass; removing its objects failed`, error, { app: target(app) });
    }
  }
}
