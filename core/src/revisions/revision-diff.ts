import { LessThan, type DataSource } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import type { EnvEntry } from '../apps/app-settings.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Revision } from './revision.entity.js';
import { wasLive } from './revision.lifecycle.js';

/** One value in both revisions; null where a revision recorded no settings (unknown). */
export interface ValueChange<T> {
  from: T | null;
  to: T | null;
  changed: boolean;
}

/** A variable in the diff; secret ones never carry a value. */
export interface EnvDiffEntry {
  name: string;
  value: string | null;
  secret: boolean;
}

export interface EnvValueChange {
  name: string;
  from: string | null;
  to: string | null;
  secret: boolean;
}

/** What differs between two revisions of one app. */
export interface RevisionDiff {
  from: Revision;
  to: Revision;
  image: ValueChange<string>;
  commit: ValueChange<string> & { fromUrl: string | null; toUrl: string | null };
  /** False when either revision was recorded before Kipper kept settings: env, port, replicas, host are then unknown. */
  settingsKnown: boolean;
  env: { added: EnvDiffEntry[]; removed: EnvDiffEntry[]; changed: EnvValueChange[] };
  port: ValueChange<number>;
  replicas: ValueChange<number>;
  host: ValueChange<string>;
}

/**
 * A link to a commit for the hosts whose URL scheme is known (github.com, gitlab.com); null for
 * others and for image apps.
 */
export function commitUrl(gitUrl: string | null, commit: string | null): string | null {
  if (!gitUrl || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return null;
  const match = /^(?:https?:\/\/|ssh:\/\/git@|git@)(github\.com|gitlab\.com)[:/](.+?)(?:\.git)?\/?$/i.exec(gitUrl);
  if (!match) return null;
  const host = match[1]!.toLowerCase();
  const path = match[2]!;
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(path)) return null;
  return host === 'github.com' ? `https://github.com/${path}/commit/${commit}` : `https://gitlab.com/${path}/-/commit/${commit}`;
}

function change<T>(from: T | null, to: T | null): ValueChange<T> {
  return { from, to, changed: from !== to };
}

function shown(entry: EnvEntry): EnvDiffEntry {
  return entry.secret === true ? { name: entry.name, value: null, secret: true } : { name: entry.name, value: entry.value, secret: false };
}

/** Added, removed and changed variables; a secret one counts as changed when its fingerprint differs. */
export function diffEnv(from: readonly EnvEntry[], to: readonly EnvEntry[]): RevisionDiff['env'] {
  const before = new Map(from.map((e) => [e.name, e]));
  const after = new Map(to.map((e) => [e.name, e]));
  const added = to.filter((e) => !before.has(e.name)).map(shown);
  const removed = from.filter((e) => !after.has(e.name)).map(shown);
  const changed: EnvValueChange[] = [];
  for (const next of to) {
    const prev = before.get(next.name);
    if (!prev) continue;
    const key = (e: EnvEntry) => (e.secret === true ? `secret:${e.fingerprint}` : `plain:${e.value}`);
    if (key(prev) === key(next)) continue;
    const secret = prev.secret === true || next.secret === true;
    changed.push({ name: next.name, from: secret ? null : shown(prev).value, to: secret ? null : shown(next).value, secret });
  }
  return { added, removed, changed };
}

/** Compares two revisions of `app`. */
export function compareRevisions(app: Pick<App, 'gitUrl'>, from: Revision, to: Revision): RevisionDiff {
  const a = from.settings;
  const b = to.settings;
  const known = a !== null && b !== null;
  return {
    from,
    to,
    image: change(from.image, to.image),
    commit: { ...change(from.commit, to.commit), fromUrl: commitUrl(app.gitUrl, from.commit), toUrl: commitUrl(app.gitUrl, to.commit) },
    settingsKnown: known,
    env: known ? diffEnv(a.env, b.env) : { added: [], removed: [], changed: [] },
    port: change(a?.port ?? null, b?.port ?? null),
    replicas: change(a?.replicas ?? null, b?.replicas ?? null),
    host: change(a ? a.host : null, b ? b.host : null),
  };
}

/**
 * The diff between revisions `from` and `to` of the app. Defaults: `to` is the current revision
 * (the newest when none went live yet), `from` the newest revision before `to` that was live.
 * REVISION_NOT_FOUND when a number does not exist or there is nothing to compare with.
 */
export async function revisionDiff(dataSource: DataSource, app: App, options: { from?: number | null; to?: number | null }): Promise<RevisionDiff> {
  const repo = dataSource.getRepository(Revision);
  const byNumber = async (number: number) => {
    const found = await repo.findOneBy({ appId: app.id, number });
    if (!found) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `App ${app.name} has no revision #${number}`);
    return found;
  };
  let to: Revision | null;
  if (options.to != null) to = await byNumber(options.to);
  else {
    to = app.currentRevisionId ? await repo.findOneBy({ id: app.currentRevisionId }) : null;
    to ??= await repo.findOne({ where: { appId: app.id }, order: { number: 'DESC' } });
  }
  if (!to) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `App ${app.name} has no revisions yet: there is nothing to compare`);
  let from: Revision | null;
  if (options.from != null) from = await byNumber(options.from);
  else {
    const earlier = await repo.find({ where: { appId: app.id, number: LessThan(to.number) }, order: { number: 'DESC' }, take: 200 });
    from = earlier.find(wasLive) ?? earlier[0] ?? null;
  }
  if (!from) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `Revision #${to.number} is the first of ${app.name}: give --from N to compare with another one`);
  return compareRevisions(app, from, to);
}
