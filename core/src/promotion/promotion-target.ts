import type { EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Environment } from '../projects/environment.entity.js';

/** The environment a promotion of `app` goes to: `to` by name, else the next of the pipeline. */
export async function promotionTarget(manager: EntityManager, app: App, to: string | null | undefined): Promise<{ from: Environment; target: Environment }> {
  const environments = manager.getRepository(Environment);
  const from = await environments.findOneByOrFail({ id: app.environmentId });
  if (to) {
    const target = await environments.findOneBy({ projectId: app.projectId, name: to });
    if (!target) throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `The project of ${app.name} has no environment ${to}`);
    if (target.id === from.id) throw new KipperError(ErrorCode.VALIDATION_FAILED, `App ${app.name} is already in ${to}: promote to another environment`);
    return { from, target };
  }
  const target = await environments.findOneBy({ projectId: app.projectId, position: from.position + 1 });
  if (!target) throw new KipperError(ErrorCode.NO_NEXT_ENVIRONMENT, `Environment ${from.name} is the last of the pipeline: there is no next environment to promote ${app.name} to`);
  return { from, target };
}
