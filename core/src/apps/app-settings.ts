import { createHash } from 'node:crypto';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

/**
 * One environment variable of an app as PostgreSQL keeps it: a plain value, or (secret) only a
 * fingerprint: the value itself lives in the app's env Secret in the cluster, never here.
 */
export type EnvEntry = { name: string; value: string; secret?: false } | { name: string; secret: true; fingerprint: string };

/**
 * The settings a revision ran with (null on revisions recorded before Kipper kept them). The pod
 * template is `port` and `env` (with `envSecret`, the Secret its secret values are in); a rollback
 * to the revision restores those. `replicas` and `host` are what the app had when it was recorded.
 */
export interface RevisionSettings {
  port: number;
  replicas: number;
  host: string | null;
  env: EnvEntry[];
  envSecret: string | null;
}

export const MAX_REPLICAS = 50;
export const MAX_ENV_VARS = 200;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Names whose values are credentials by convention: stored as secrets even without --secret. */
const SECRET_LOOKING = /(_TOKEN|_SECRET|_PASSWORD|_KEY)$|^(TOKEN|SECRET|PASSWORD|KEY)$/i;

export function invalidSetting(field: string, message: string): KipperError {
  return new KipperError(ErrorCode.VALIDATION_FAILED, message, { field });
}

export function looksSecret(name: string): boolean {
  return SECRET_LOOKING.test(name);
}

export function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidSetting('port', `Port must be from 1 to 65535, got ${port}`);
}

export function assertReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) throw invalidSetting('replicas', `Replicas must be from 0 to ${MAX_REPLICAS}, got ${replicas}`);
}

export function assertHost(host: string): void {
  if (!HOST.test(host)) throw invalidSetting('host', `Host ${JSON.stringify(host)} is not a valid DNS name (lowercase letters, digits, '-' and '.')`);
}

export function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) throw invalidSetting('env', `Environment variable name ${JSON.stringify(name)} is not valid (letters, digits and _, not starting with a digit)`);
}

export function assertEnvValue(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length > 32_768) throw invalidSetting('env', `Environment variable ${name} is longer than 32 KiB`);
}

/** Refuses invalid and repeated names. */
export function assertEnvNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    assertEnvName(name);
    if (seen.has(name)) throw invalidSetting('env', `Environment variable ${name} is given twice`);
    seen.add(name);
  }
}

/**
 * Tells whether a secret value changed without showing it: a short hash of the app
 * (`namespace/name`), the variable's name and the value, so equal values of two apps or two
 * names differ.
 */
export function envFingerprint(app: string, name: string, value: string): string {
  return createHash('sha256').update(`${app}\0${name}\0${value}`).digest('hex').slice(0, 12);
}

/** `{app}-env-{hash}`: the content-addressed name of the Secret holding these values. */
export function envSecretName(app: string, values: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(values).sort()) hash.update(`${key}\0${values[key]}\0`);
  return `${app}-env-${hash.digest('hex').slice(0, 10)}`;
}

/**
 * A short hash of a snapshot's pod template (port and env with its Secret; replicas and host are
 * not in it), as Kubernetes labels ReplicaSets with pod-template-hash: equal hashes run the same.
 */
export function podTemplateHash(settings: RevisionSettings): string {
  return createHash('sha256').update(JSON.stringify([settings.port, settings.envSecret, settings.env])).digest('hex').slice(0, 10);
}

/** Whether two snapshots run the same pod template. */
export function samePodTemplate(a: RevisionSettings, b: RevisionSettings): boolean {
  return podTemplateHash(a) === podTemplateHash(b);
}

/** The snapshot of an app's settings now (the SQL twin is SETTINGS_SNAPSHOT in revisions/revision.records.ts). */
export function settingsOf(app: { port: number; replicas: number; host: string | null; env: EnvEntry[]; envSecretName: string | null }): RevisionSettings {
  return { port: app.port, replicas: app.replicas, host: app.host, env: app.env, envSecret: app.envSecretName };
}
