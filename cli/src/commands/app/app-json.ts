import type { AppSummary } from '@kipper/client';
import { jsonEnum } from '../../format.js';

/** The app in `--output json`: the same keys for `app list` and `app status`. */
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
  };
}
