import { DeleteProjectMutation, ProjectQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { assertConfirmable, confirmByName } from '../../confirm-name.js';
import { CliError } from '../../errors.js';
import { withOutput } from '../../options.js';

/** `kip project delete PROJECT [--yes]`: every app, the namespaces and the records go; the audit log stays. */
export function projectDeleteCommand(project: Command, state: RunState): Command {
  return withOutput(
    project
      .command('delete')
      .description('delete a project, its apps and namespaces')
      .argument('<name>', 'project name')
      .option('-y, --yes', 'do not ask for the name (needed when not on a terminal)'),
  ).action(
    action(state, async (ctx, name: string, opts: { yes?: boolean }) => {
      assertConfirmable(ctx, `project ${name}`, opts.yes);
      const client = await ctx.client();
      const found = (await client.request(ProjectQuery, { name })).project;
      if (!found) throw new CliError(`Project ${name} does not exist.`, 1, 'PROJECT_NOT_FOUND');
      const namespaces = found.environments.map((e) => e.namespace);
      const apps = found.environments.flatMap((e) => e.apps.map((a) => `${e.namespace}/${a.name}`));
      ctx.out.line(`Project ${name}: namespaces ${namespaces.join(', ')}; ${apps.length} app${apps.length === 1 ? '' : 's'}${apps.length ? ` (${apps.join(', ')})` : ''}.`);
      if (!(await confirmByName(ctx, `project ${name}, its namespaces and every app in them`, name, opts.yes))) return 1;
      await client.request(DeleteProjectMutation, { name });
      ctx.out.success(`Deleted project ${name} (namespaces ${namespaces.join(', ')})`);
      ctx.out.result({ deleted: { project: name, namespaces, apps } });
      return 0;
    }),
  );
}
