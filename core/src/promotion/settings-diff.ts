import type { App } from '../apps/app.entity.js';
import { diffEnv } from '../revisions/revision-diff.js';

/** One setting that differs between the source app and the target app of a promotion. */
export interface SettingDifference {
  /** `replicas`, `port`, or `env:NAME`. */
  setting: string;
  source: string | null;
  target: string | null;
}

/** What a preview shows for a secret variable: that it is there, never its value. */
const MASKED = '••••';

/**
 * How the target app's settings differ from the source's: replicas, port and env vars (added,
 * removed or changed, compared the way revision diffs compare them; secret values masked). A
 * promotion changes only the image: these are what stays different after it, which a person
 * promoting wants to know.
 */
export function settingsDifferences(source: Pick<App, 'replicas' | 'port' | 'env'>, target: Pick<App, 'replicas' | 'port' | 'env'>): SettingDifference[] {
  const out: SettingDifference[] = [];
  if (source.replicas !== target.replicas) out.push({ setting: 'replicas', source: String(source.replicas), target: String(target.replicas) });
  if (source.port !== target.port) out.push({ setting: 'port', source: String(source.port), target: String(target.port) });
  // diffEnv reads "from → to": from the target as it is to the source's settings.
  const env = diffEnv(target.env, source.env);
  const shown = (value: string | null, secret: boolean) => (secret ? MASKED : value);
  const vars: SettingDifference[] = [
    ...env.added.map((e) => ({ setting: `env:${e.name}`, source: shown(e.value, e.secret), target: null })),
    ...env.removed.map((e) => ({ setting: `env:${e.name}`, source: null, target: shown(e.value, e.secret) })),
    ...env.changed.map((e) => ({ setting: `env:${e.name}`, source: shown(e.to, e.secret), target: shown(e.from, e.secret) })),
  ];
  return [...out, ...vars.sort((a, b) => (a.setting < b.setting ? -1 : a.setting > b.setting ? 1 : 0))];
}
