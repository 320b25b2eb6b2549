import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { ClusterError, resolveClusterTarget, type ClusterChoice } from '@kipper/kube';
import { DEFAULT_GIT_PROTOCOLS, GIT_PROTOCOLS, type GitProtocol } from '../apps/git-url.js';
import { oidcConfig, type OidcConfig } from './oidc.config.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logging/json-logger.js';

export interface KipperConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  publicUrl: string;
  adminToken: string | undefined;
  /** Resolved once here (KIPPER_KUBE_SERVER, KIPPER_KUBE, KUBECONFIG, ~/.kube/config): the one answer to "which cluster?". */
  cluster: ClusterChoice;
  /** Port of the built-in simulator when `cluster` is the simulator (KIPPER_SIM_PORT; 0: any free port). */
  simulatorPort: number;
  /** Where the built-in simulator keeps its objects across restarts (KIPPER_SIM_STATE; unset or `memory`: nowhere). */
  simulatorState: string | undefined;
  progressDeadlineSeconds: number;
  workerConcurrency: number;
  builderImage: string;
  registry: string;
  gitPollSeconds: number;
  /** How often the worker compares every app in the cluster with the record (and repairs or reports drift), besides watch events. */
  reconcileSeconds: number;
  /** Transports git apps may use (`git ls-remote`, builds); `file` only for local tests. */
  gitProtocols: readonly GitProtocol[];
  /** Git hosts on loopback, link-local or private addresses (in-house git servers); refused by default. */
  gitAllowPrivate: boolean;
  /** GitHub / GitLab API URLs (feedback) on loopback, link-local or private addresses, and plain http: refused by default. */
  feedbackAllowPrivate: boolean;
  /** Notification URLs on loopback, link-local or private addresses (a receiver in Kipper's own network, tests); refused by default. */
  notifyAllowPrivate: boolean;
  /** Keyless CI issuers (and their key URLs) on loopback, link-local or private addresses, plain http to them: refused by default. */
  ciIssuerAllowPrivate: boolean;
  /** Shortest time between two fetches of a CI issuer's keys for tokens with an unknown `kid`. */
  ciJwksCooldownSeconds: number;
  /** Per app and api process: a burst, then a steady rate; past it the webhook answers 429. */
  webhookRateLimit: { burst: number; perSecond: number };
  /** Express's `trust proxy`: which peers may set X-Forwarded-For (decides `req.ip`, used by the webhook's per-address limits). */
  trustProxy: TrustProxy;
  /** GraphQL operations costing more (lists weighted by their page size) are refused before they run. */
  graphqlMaxCost: number;
  /** Longest a single SQL statement of a GraphQL request may run (milliseconds). */
  graphqlStatementTimeoutMs: number;
  /** GraphQL operations over HTTP executing at once per api process; more wait their turn. */
  graphqlConcurrency: number;
  /** Slow clients: how long headers and a whole request may take, and connections one address may hold. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnectionsPerAddress: number };
  /** Console single sign-on (KIPPER_OIDC_*), or null. */
  oidc: OidcConfig | null;
  /** Log lines: JSON, pretty, or pretty only on a terminal (`auto`); the lowest level written. */
  log: { format: LogFormat; level: LogLevel };
  /** Bearer token of the api's `/metrics`; unset: `/metrics` answers loopback callers only. */
  metricsToken: string | undefined;
}

/** `false`, `true` (trust every hop: only behind a proxy that overwrites X-Forwarded-For), a hop count, or addresses / CIDRs / names. */
export type TrustProxy = boolean | number | string[];

/** A configuration problem, reported once at start as one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** A whole-number setting within bounds, or the fallback when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** `true` or `false` (also 1/0, yes/no), or the fallback when unset. */
function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** A URL as it may appear in a message: without a password (database and Redis URLs carry one). */
function shown(raw: string): string {
  return raw.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${shown(raw)}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${shown(raw)}"`);
  }
  return raw.replace(/\/+$/, '');
}

function cluster(env: Env): ClusterChoice {
  if (env.KIPPER_KUBE_SERVER?.trim()) url(env, 'KIPPER_KUBE_SERVER', '', ['http:', 'https:']);
  try {
    return resolveClusterTarget(env);
  } catch (err) {
    if (err instanceof ClusterError) throw new ConfigError(err.message);
    throw err;
  }
}

function gitProtocols(env: Env): readonly GitProtocol[] {
  const raw = env.KIPPER_GIT_PROTOCOLS;
  if (!raw) return DEFAULT_GIT_PROTOCOLS;
  const list = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = list.filter((p) => !(GIT_PROTOCOLS as readonly string[]).includes(p));
  if (unknown.length || list.length === 0) {
    throw new ConfigError(`KIPPER_GIT_PROTOCOLS is a comma-separated list of ${GIT_PROTOCOLS.join(', ')}, got "${raw}"`);
  }
  return list as GitProtocol[];
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR (`10.0.0.0/8`, `fd00::/8`), an IPv4 address with a netmask, or one of express's names. */
function trustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address = '', range, ...extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length) return false;
  if (range === undefined) return true;
  if (/^[0-9]{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

function trustProxy(env: Env): TrustProxy {
  const raw = (env.KIPPER_TRUST_PROXY ?? '').trim();
  // Trust no one by default: a client on the same machine could otherwise name any address in
  // X-Forwarded-For and never meet the webhook's failed-authentication limits.
  if (raw === '') return false;
  if (raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[0-9]+$/.test(raw)) return integer(env, 'KIPPER_TRUST_PROXY', 0, 0, 100);
  const list = raw.split(',').map((e) => e.trim());
  const wrong = list.filter((e) => !trustedProxyEntry(e));
  if (wrong.length) {
    throw new ConfigError(
      `KIPPER_TRUST_PROXY must be false, true, a hop count, or a comma-separated list of addresses, CIDRs, loopback, linklocal or uniquelocal; "${wrong[0]}" is none of them (got "${raw}")`,
    );
  }
  return list;
}

function simulatorState(env: Env): string | undefined {
  const raw = (env.KIPPER_SIM_STATE ?? '').trim();
  if (raw === '' || raw === 'memory') return undefined;
  if (!isAbsolute(raw)) throw new ConfigError(`KIPPER_SIM_STATE must be memory or an absolute file path, got "${raw}"`);
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** Reads every KIPPER_* setting once; throws ConfigError on the first wrong value. */
export function loadConfig(env: Env = process.env): KipperConfig {
  const port = integer(env, 'KIPPER_PORT', 8080, 0, 65535);
  const adminToken = env.KIPPER_ADMIN_TOKEN || undefined;
  // It guards every GraphQL call and has no lockout: short tokens can be guessed online.
  if (adminToken !== undefined && adminToken.length < 32) {
    throw new ConfigError('KIPPER_ADMIN_TOKEN must be at least 32 characters long (e.g. openssl rand -hex 32)');
  }
  const metricsToken = env.KIPPER_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 32) {
    throw new ConfigError('KIPPER_METRICS_TOKEN must be at least 32 characters long (e.g. openssl rand -hex 32)');
  }
  const queuePrefix = env.KIPPER_QUEUE_PREFIX || 'kipper';
  if (!/^[A-Za-z0-9_-]+$/.test(queuePrefix)) {
    throw new ConfigError(`KIPPER_QUEUE_PREFIX may hold letters, digits, - and _ only, got "${queuePrefix}"`);
  }
  const config: KipperConfig = {
    port,
    host: env.KIPPER_HOST || '127.0.0.1',
    databaseUrl: url(env, 'KIPPER_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/kipper', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'KIPPER_REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix,
    publicUrl: url(env, 'KIPPER_PUBLIC_URL', `http://127.0.0.1:${port}`, ['http:', 'https:']),
    adminToken,
    cluster: cluster(env),
    simulatorPort: integer(env, 'KIPPER_SIM_PORT', 0, 0, 65535),
    simulatorState: simulatorState(env),
    progressDeadlineSeconds: integer(env, 'KIPPER_PROGRESS_DEADLINE_SECONDS', 600, 1, 86_400),
    workerConcurrency: integer(env, 'KIPPER_WORKER_CONCURRENCY', 4, 1, 256),
    builderImage: env.KIPPER_BUILDER_IMAGE || 'gcr.io/kaniko-project/executor:latest',
    registry: (env.KIPPER_REGISTRY || 'registry.kipper.local').replace(/\/+$/, ''),
    gitPollSeconds: integer(env, 'KIPPER_GIT_POLL_SECONDS', 60, 1, 86_400),
    reconcileSeconds: integer(env, 'KIPPER_RECONCILE_SECONDS', 60, 1, 86_400),
    gitProtocols: gitProtocols(env),
    gitAllowPrivate: boolean(env, 'KIPPER_GIT_ALLOW_PRIVATE', false),
    feedbackAllowPrivate: boolean(env, 'KIPPER_FEEDBACK_ALLOW_PRIVATE', false),
    notifyAllowPrivate: boolean(env, 'KIPPER_NOTIFY_ALLOW_PRIVATE', false),
    ciIssuerAllowPrivate: boolean(env, 'KIPPER_CI_ISSUER_ALLOW_PRIVATE', false),
    ciJwksCooldownSeconds: integer(env, 'KIPPER_CI_JWKS_COOLDOWN_SECONDS', 30, 0, 3_600),
    webhookRateLimit: {
      burst: integer(env, 'KIPPER_WEBHOOK_RATE_BURST', 20, 1, 1_000_000),
      perSecond: integer(env, 'KIPPER_WEBHOOK_RATE_PER_SECOND', 5, 1, 1_000_000),
    },
    trustProxy: trustProxy(env),
    graphqlMaxCost: integer(env, 'KIPPER_GRAPHQL_MAX_COST', 5_000, 10, 10_000_000),
    graphqlStatementTimeoutMs: integer(env, 'KIPPER_GRAPHQL_STATEMENT_TIMEOUT_MS', 5_000, 100, 600_000),
    graphqlConcurrency: integer(env, 'KIPPER_GRAPHQL_CONCURRENCY', 2, 1, 1_000),
    http: {
      headersTimeoutMs: integer(env, 'KIPPER_HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: integer(env, 'KIPPER_HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      maxConnectionsPerAddress: integer(env, 'KIPPER_HTTP_MAX_CONNECTIONS_PER_ADDRESS', 1_000, 1, 1_000_000),
    },
    oidc: oidcConfig(env),
    log: { format: oneOf(env, 'KIPPER_LOG_FORMAT', LOG_FORMATS, 'auto'), level: oneOf(env, 'KIPPER_LOG_LEVEL', LOG_LEVELS, 'info') },
    metricsToken,
  };
  return config;
}
