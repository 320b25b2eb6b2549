import type { App } from '../apps/app.entity.js';

/** One setting that differs between the source app and the target app of a promotion. */
export interface SettingDifference {
  /** `replicas`, `port`, or `env:NAME`. */
  setting: string;
  source: string | null;
  target: string | null;
}

/** Env var names whose values are not shown in a preview (the settings module masks the same way). */
const SECRET_NAME = /(secret|token|password|passwd|key|credential|private)/i;

function envValue(name: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  return SECRET_NAME.test(name) ? '••••' : value;
}

/**
 * How the target app's settings differ from the source's: replicas, port and env vars (added,
 * removed or changed; values of secret-looking names masked). A promotion changes only the
 * image: these are what stays different after it, which a person promoting wants to know.
 */
export function settingsDifferences(source: Pick<App, 'replicas' | 'port' | 'env'>, target: Pick<App, 'replicas' | 'port' | 'env'>): SettingDifference[] {
  const out: SettingDifference[] = [];
  if (source.replicas !== target.replicas) out.push({ setting: 'replicas', source: String(source.replicas), target: String(target.replicas) });
  if (source.port !== target.port) out.push({ setting: 'port', source: String(source.port), target: String(target.port) });
  const from = new Map(source.env.map((e) => [e.name, e.value]));
  const to = new Map(target.env.map((e) => [e.name, e.value]));
  for (const name of [...new Set([...from.keys(), ...to.keys()])].sort()) {
    if (from.get(name) === to.get(name)) continue;
    out.push({ setting: `env:${name}`, source: envValue(name, from.get(name)), target: envValue(name, to.get(name)) });
  }
  return out;
}
