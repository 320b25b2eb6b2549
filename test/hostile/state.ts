import { Redis } from 'ioredis';
import type { RunningKipper } from '../support/kipper.js';

/**
 * A fingerprint of everything a request could change: every table's rows in PostgreSQL, this
 * Kipper's keys in Redis (queue and pub/sub), and every object in the cluster. Two equal
 * fingerprints mean a refused request changed nothing. The shared rate-limit buckets are left
 * out: charging a refused attempt to its address is what a refusal is meant to do.
 */
export interface Fingerprint {
  tables: Record<string, string>;
  redis: Record<string, string>;
  cluster: string[];
}

const TABLES = ['project', 'environment', 'app', 'revision', 'build', 'webhook', 'webhook_delivery', 'audit_entry', 'api_token', 'webhook_trust', 'ci_token_use', 'kipper_user', 'session', 'project_member', 'oidc_identity'];
const CLUSTER_LISTS = ['/api/v1/namespaces', '/api/v1/secrets', '/api/v1/services', '/apis/apps/v1/deployments', '/apis/batch/v1/jobs', '/apis/networking.k8s.io/v1/ingresses'];

export async function fingerprint(k: RunningKipper, redis: Redis): Promise<Fingerprint> {
  const tables: Record<string, string> = {};
  for (const table of TABLES) {
    const [row] = (await k.kipper.services.dataSource.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
    )) as { n: number; digest: string }[];
    tables[table] = `${row!.n}:${row!.digest}`;
  }
  const redisState: Record<string, string> = {};
  for (const key of (await redis.keys(`${k.queuePrefix}*`)).sort()) {
    if (key.startsWith(`${k.queuePrefix}:ratelimit:`)) continue;
    const type = await redis.type(key);
    const size =
      type === 'list' ? await redis.llen(key)
      : type === 'zset' ? await redis.zcard(key)
      : type === 'hash' ? await redis.hlen(key)
      : type === 'set' ? await redis.scard(key)
      : type === 'stream' ? await redis.xlen(key)
      : (await redis.get(key))?.length ?? 0;
    redisState[key] = `${type}:${size}`;
  }
  const cluster: string[] = [];
  for (const path of CLUSTER_LISTS) {
    const list = (await (await fetch(`${k.sim.url}${path}`)).json()) as { items?: { metadata: { namespace?: string; name: string; resourceVersion: string } }[] };
    for (const item of list.items ?? []) cluster.push(`${path} ${item.metadata.namespace ?? ''}/${item.metadata.name}@${item.metadata.resourceVersion}`);
  }
  return { tables, redis: redisState, cluster: cluster.sort() };
}
