import type { Cluster } from '@kipper/kube';
import type { DataSource, EntityManager } from 'typeorm';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import type { KipperConfig } from '../config/config.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Revision, RevisionTrigger } from '../revisions/revision.entity.js';
import type { RevisionService } from '../revisions/revision.service.js';
import {
  assertEnvNames,
  assertEnvValue,
  assertHost,
  assertPort,
  assertReplicas,
  envFingerprint,
  envSecretName,
  invalidSetting,
  looksSecret,
  MAX_ENV_VARS,
  type EnvEntry,
} from './app-settings.js';
import { App, type DeployPolicy, type DriftPolicy } from './app.entity.js';
import { appWorkload } from './app.workload.js';

/** Settings of an existing app; omitted (undefined or null) ones stay as they are. `host: ''` removes the host. */
export interface AppSettingsChange {
  deployPolicy?: DeployPolicy | null;
  autoRollback?: boolean | null;
  driftPolicy?: DriftPolicy | null;
  port?: number | null;
  replicas?: number | null;
  host?: string | null;
}

/** Variables to set (secret when asked, or when the name looks like a credential) and names to remove. */
export interface EnvChange {
  set?: { name: string; value: string; secret?: boolean | null }[] | null;
  unset?: string[] | null;
}

/** What a change did: the app as it is now, and the `config` revision that rolls out a new pod template (null when none). */
export interface SettingsResult {
  app: App;
  revision: Revision | null;
}

/** One variable as shown: the value of a secret one only when revealed. */
export interface EnvView {
  name: string;
  value: string | null;
  secret: boolean;
  fingerprint: string | null;
}

/** Env Secrets still referenced by one of this many newest revisions are kept (rollbacks need them). */
export const ENV_SECRET_KEEP_REVISIONS = 20;

type SettingsKey = 'deployPolicy' | 'autoRollback' | 'driftPolicy' | 'port' | 'replicas' | 'host';

/**
 * Under the app's row lock: the fields a change was computed from are still what they were read
 * as. Two people editing env at once would otherwise lose one's change without a word.
 */
async function assertUnchanged(manager: EntityManager, app: App, keys: readonly (keyof App)[]): Promise<void> {
  const locked = await manager.findOne(App, { where: { id: app.id }, lock: { mode: 'pessimistic_write' } });
  if (!locked) throw new KipperError(ErrorCode.APP_NOT_FOUND, `App ${app.name} was deleted meanwhile`);
  const moved = keys.filter((key) => JSON.stringify(locked[key]) !== JSON.stringify(app[key]));
  if (moved.length > 0) {
    throw new KipperError(ErrorCode.CONFLICT, `The ${moved.join(', ')} of ${app.name} changed meanwhile: nothing was saved; look again and retry`);
  }
}

/**
 * Changing an existing app. Port and env are the pod template: a change is a new revision
 * (trigger `config`) of the image the app runs, rolled out by the worker like any other, in the
 * history and rolled back like any other. Replicas and host are applied to the cluster at once,
 * recorded on the app (and so in the next revision's snapshot) and in the audit log. Secret env
 * values go to an immutable Secret `{app}-env-{hash}` in the cluster, never to PostgreSQL.
 */
export class AppSettingsService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: Cluster;
      config: Pick<KipperConfig, 'progressDeadlineSeconds'>;
      revisions: RevisionService;
      audit: AuditService;
      warn?: (message: string) => void;
    },
  ) {}

  /** Validates everything first: a bad value changes nothing. */
  async update(app: App, input: AppSettingsChange, actor: string): Promise<SettingsResult> {
    if (input.port != null) assertPort(input.port);
    if (input.replicas != null) assertReplicas(input.replicas);
    const host = input.host == null ? undefined : input.host.trim() === '' ? null : input.host.trim();
    if (host) assertHost(host);
    const wanted: Partial<Pick<App, SettingsKey>> = {
      ...(input.deployPolicy != null ? { deployPolicy: input.deployPolicy } : {}),
      ...(input.autoRollback != null ? { autoRollback: input.autoRollback } : {}),
      ...(input.driftPolicy != null ? { driftPolicy: input.driftPolicy } : {}),
      ...(input.port != null ? { port: input.port } : {}),
      ...(input.replicas != null ? { replicas: input.replicas } : {}),
      ...(host !== undefined ? { host } : {}),
    };
    const changes = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => app[key as SettingsKey] !== value)) as Partial<Pick<App, SettingsKey>>;
    if (Object.keys(changes).length === 0) return { app, revision: null };
    const before = Object.fromEntries(Object.keys(changes).map((key) => [key, app[key as SettingsKey]]));
    const record = async (manager: EntityManager) => {
      await assertUnchanged(manager, app, Object.keys(changes) as SettingsKey[]);
      await manager.update(App, { id: app.id }, changes);
      await this.deps.audit.record(actor, 'app.configure', appTarget(app), { before, after: { ...changes } }, manager);
    };
    const revision = changes.port !== undefined ? await this.configRevision(app, actor, record) : null;
    if (revision) return { app: Object.assign(app, changes), revision };
    // The record first: the reconciler that sees the Deployment change must find the new replica
    // count and host there, or it would "repair" the cluster back to the old ones.
    await this.deps.dataSource.transaction(record);
    try {
      await this.applyToCluster(app, changes);
    } catch (err) {
      await this.deps.dataSource.transaction(async (manager) => {
        await manager.update(App, { id: app.id }, before as Partial<Pick<App, SettingsKey>>);
        await this.deps.audit.record(actor, 'app.configure', appTarget(app), { before: { ...changes }, after: before, reason: 'the cluster refused the change' }, manager);
      });
      throw err;
    }
    return { app: Object.assign(app, changes), revision: null };
  }

  /** Sets and removes variables; one `config` revision for the whole change (none when nothing changes). */
  async changeEnv(app: App, change: EnvChange, actor: string): Promise<SettingsResult> {
    const set = change.set ?? [];
    const unset = change.unset ?? [];
    if (set.length === 0 && unset.length === 0) throw invalidSetting('env', 'Nothing to change: give variables to set (KEY=VALUE) or names to unset');
    assertEnvNames(set.map((v) => v.name));
    assertEnvNames(unset);
    for (const v of set) {
      assertEnvValue(v.name, v.value);
      if (unset.includes(v.name)) throw invalidSetting('env', `Environment variable ${v.name} is both set and unset`);
    }
    for (const name of unset) {
      if (!app.env.some((e) => e.name === name)) throw invalidSetting('env', `Environment variable ${name} is not set on ${app.name}`);
    }
    const label = `${app.namespace}/${app.name}`;
    const current = new Map(app.env.map((e) => [e.name, e]));
    const next = app.env.filter((e) => !unset.includes(e.name));
    const newSecretValues = new Map<string, string>();
    for (const v of set) {
      const secret = v.secret === true || looksSecret(v.name) || current.get(v.name)?.secret === true;
      const entry: EnvEntry = secret ? { name: v.name, secret: true, fingerprint: envFingerprint(label, v.name, v.value) } : { name: v.name, value: v.value };
      if (secret) newSecretValues.set(v.name, v.value);
      const index = next.findIndex((e) => e.name === v.name);
      if (index >= 0) next[index] = entry;
      else next.push(entry);
    }
    if (next.length > MAX_ENV_VARS) throw invalidSetting('env', `An app has at most ${MAX_ENV_VARS} environment variables`);
    if (JSON.stringify(next) === JSON.stringify(app.env)) return { app, revision: null };

    const secretEntries = next.filter((e) => e.secret === true);
    let secretName: string | null = null;
    if (secretEntries.length > 0) {
      const kept = secretEntries.some((e) => !newSecretValues.has(e.name)) ? await this.currentSecretValues(app) : {};
      const values: Record<string, string> = {};
      for (const e of secretEntries) values[e.name] = newSecretValues.get(e.name) ?? kept[e.name]!;
      secretName = envSecretName(app.name, values);
      await inCluster(() => this.deps.cluster.ensureNamespace(app.namespace));
      await inCluster(() => this.deps.cluster.writeEnvSecret(app.namespace, app.name, secretName!, values));
    }
    const changes = { env: next, envSecretName: secretName };
    const details = {
      set: set.map((v) => v.name),
      unset,
      secret: secretEntries.map((e) => e.name),
      // Plain values are in the record anyway; secret ones only as fingerprints.
      before: app.env,
      after: next,
    };
    const record = async (manager: EntityManager) => {
      await assertUnchanged(manager, app, ['env', 'envSecretName']);
      await manager.update(App, { id: app.id }, changes);
      await this.deps.audit.record(actor, 'app.env', appTarget(app), details, manager);
    };
    const revision = await this.configRevision(app, actor, record);
    if (!revision) await this.deps.dataSource.transaction(record);
    Object.assign(app, changes);
    await this.collectEnvSecrets(app).catch((err: unknown) => this.deps.warn?.(`removing unused env Secrets of ${label} failed: ${String(err)}`));
    return { app, revision };
  }

  /**
   * The app's variables; secret values only with `reveal` (the caller checked the role), and then
   * audited `app.env.reveal` with the names shown.
   */
  async env(app: App, options: { reveal: boolean; actor: string }): Promise<EnvView[]> {
    const secrets = options.reveal && app.env.some((e) => e.secret === true) ? await this.currentSecretValues(app) : null;
    if (options.reveal) {
      const names = app.env.filter((e) => e.secret === true).map((e) => e.name);
      await this.deps.audit.record(options.actor, 'app.env.reveal', appTarget(app), { names });
    }
    return app.env.map((e) =>
      e.secret === true
        ? { name: e.name, value: secrets ? (secrets[e.name] ?? null) : null, secret: true, fingerprint: e.fingerprint }
        : { name: e.name, value: e.value, secret: false, fingerprint: null },
    );
  }

  /** Deletes the app's env Secrets that neither the app nor its newest revisions refer to. */
  async collectEnvSecrets(app: Pick<App, 'id' | 'namespace' | 'name'>): Promise<string[]> {
    const names = await this.deps.cluster.listEnvSecrets(app.namespace, app.name);
    if (names.length === 0) return [];
    const rows: { name: string | null }[] = await this.deps.dataSource.query(
      `SELECT env_secret_name AS name FROM app WHERE id = $1
       UNION SELECT settings->>'envSecret' FROM (SELECT settings FROM revision WHERE app_id = $1 ORDER BY number DESC LIMIT $2) newest`,
      [app.id, ENV_SECRET_KEEP_REVISIONS],
    );
    const used = new Set(rows.map((r) => r.name).filter((n): n is string => n !== null));
    const unused = names.filter((n) => !used.has(n));
    for (const name of unused) await this.deps.cluster.deleteEnvSecret(app.namespace, name);
    return unused;
  }

  private async currentSecretValues(app: App): Promise<Record<string, string>> {
    const values = app.envSecretName ? await inCluster(() => this.deps.cluster.readEnvSecret(app.namespace, app.envSecretName!)) : null;
    if (!values) {
      throw new KipperError(
        ErrorCode.CONFLICT,
        `The Secret holding the secret environment variables of ${app.name} (${app.envSecretName ?? 'none recorded'}) is missing in ${app.namespace}: set every secret variable again`,
      );
    }
    return values;
  }

  /**
   * The `config` revision of a pod-template change: the image the app runs (its current
   * revision's, else its newest with an image), with `record` committed before it so the
   * snapshot has the new settings. Null, with nothing written, when the app has no image yet
   * (its first build or rollout will use the new settings).
   */
  private async configRevision(app: App, actor: string, record: (manager: EntityManager) => Promise<void>): Promise<Revision | null> {
    const repo = this.deps.dataSource.getRepository(Revision);
    const base =
      (app.currentRevisionId ? await repo.findOneBy({ id: app.currentRevisionId }) : null) ??
      (await repo.createQueryBuilder('r').where('r.app_id = :id AND r.image IS NOT NULL', { id: app.id }).orderBy('r.number', 'DESC').getOne());
    if (!base?.image) return null;
    return this.deps.revisions.deployImage(app, { image: base.image, commit: base.commit, trigger: RevisionTrigger.CONFIG, triggeredBy: actor, withRevision: record });
  }

  /**
   * Replicas and host go to the cluster once recorded, when the app runs there already;
   * otherwise its first rollout applies them.
   */
  private async applyToCluster(app: App, changes: Partial<Pick<App, SettingsKey>>): Promise<void> {
    if (changes.replicas === undefined && changes.host === undefined) return;
    const current = app.currentRevisionId ? await this.deps.dataSource.getRepository(Revision).findOneBy({ id: app.currentRevisionId }) : null;
    if (!current?.image) return;
    if (changes.host !== undefined) {
      const changed = Object.assign(Object.create(Object.getPrototypeOf(app) as object) as App, app, changes);
      await inCluster(() => this.deps.cluster.ensureApp(appWorkload(changed, current.image!, this.deps.config.progressDeadlineSeconds, current.settings)));
      return;
    }
    await inCluster(() => this.deps.cluster.setReplicas(app.namespace, app.name, changes.replicas!));
  }
}
