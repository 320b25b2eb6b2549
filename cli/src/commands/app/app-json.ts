import { jsonEnum } from '../../format.js';
import type { AppSummaryData } from '../../graphql/operations.js';

/** The app in `--output json`: the same keys for `app list` and `app status`. */
export function appJson(a: AppSummaryData) {
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
