import type { AppSettingsView, Revision } from '@kipper/client';
import { jsonEnum, revisionJson } from '../../format.js';
import { appJson } from './app-json.js';

type SettingsApp = Omit<AppSettingsView, 'id'>;

/** The settings as `set`, `scale` and `env` print them, one per line. */
export function settingsLines(a: Pick<SettingsApp, 'port' | 'replicas' | 'host' | 'deployPolicy' | 'autoRollback' | 'driftPolicy'>): string[] {
  return [
    `Port:          ${a.port}`,
    `Replicas:      ${a.replicas}`,
    `Host:          ${a.host ?? '-'}`,
    `Deploy policy: ${jsonEnum(a.deployPolicy)}`,
    `Auto rollback: ${a.autoRollback ? 'on' : 'off'}`,
    `Drift policy:  ${jsonEnum(a.driftPolicy)}`,
  ];
}

/** The app with its settings in `--output json`. */
export function settingsJson(a: SettingsApp) {
  return { ...appJson(a), port: a.port, replicas: a.replicas, host: a.host, env: a.env.map((e) => ({ name: e.name, value: e.secret ? null : e.value, secret: e.secret, fingerprint: e.fingerprint })) };
}

/** What a change answers in JSON: the app and the CONFIG revision (as it is at the end with --wait). */
export function changeJson(a: SettingsApp, revision: Revision | null) {
  return { app: settingsJson(a), revision: revision ? revisionJson(revision) : null };
}

/** The line under the ✔ when a change rolls out a new pod template. */
export function revisionLine(name: string, revision: Pick<Revision, 'number' | 'image'> | null): string {
  return revision ? `Rolling out revision #${revision.number} (${revision.image ?? 'its image'}) with the new settings: kip app history ${name}` : 'No new revision: nothing in the pod template changed.';
}
