import { AppSettingsQuery, DeleteAppMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { assertConfirmable, confirmByName } from '../../confirm-name.js';
import { appNotFound } from '../../errors.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

/** `kip app delete APP [--yes]`: its Kubernetes objects and records go; the audit log keeps its story. */
export function appDeleteCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('delete')
        .description('delete an app and its cluster objects')
        .argument('<app>', 'app name')
        .option('-y, --yes', 'do not ask for the name (needed when not on a terminal)'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { yes?: boolean }) => {
      assertConfirmable(ctx, `app ${name}`, opts.yes);
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const found = (await client.request(AppSettingsQuery, { app: ref })).app;
      if (!found) throw appNotFound(name, ref);
      if (!(await confirmByName(ctx, `app ${name} from ${found.namespace} (its Deployment, Service, Ingress, Secrets and history)`, name, opts.yes))) return 1;
      await client.request(DeleteAppMutation, { app: { name, namespace: found.namespace } });
      ctx.out.success(`Deleted app ${name} from ${found.namespace}`);
      ctx.out.result({ deleted: { app: name, namespace: found.namespace, project: found.project.name, environment: found.environment.name } });
      return 0;
    }),
  );
}
