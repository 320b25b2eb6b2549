import type { AppSummary } from '@kipper/client';
import { jsonEnum } from '../../format.js';

/** The app in `--output json`: the same keys for `app list`, `app status`, `configure` and `unpin`. */
export function appJson(a: AppSummary) {
  return {
    name: a.name,
    namespace: a.namespace,
    project: a.project.name,
    environment: a.environment.name,
    source: jsonEnum(a.source),
    image: a.image,
    gitUrl: a.gitUrl,
    gitBranch: a.gitBranch,
    deployPolicy: jsonEnum(a.deployPolicy),
    autoRollback: a.autoRollback,
    driftPolicy: jsonEnum(a.driftPolicy),
    health: a.health ? { ...a.health, status: jsonEnum(a.health.status) } : null,
    pin: a.pin ? { revision: a.pin.revision.number, image: a.pin.revision.image, by: a.pin.by, at: a.pin.at } : null,
    drift: a.drift,
    webhookSecretMissing: a.webhookSecretMissing,
  };
}
