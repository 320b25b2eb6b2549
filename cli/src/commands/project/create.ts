import { CreateProjectMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { withOutput } from '../../options.js';
import { environmentsInOrder, pipeline, projectJson } from './project-json.js';

function parseEnvironments(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--environments needs at least one name, e.g. test,acc,prod.');
  return names;
}

/** `kip project create NAME`: the project and one namespace per environment. */
export function projectCreateCommand(project: Command, state: RunState): Command {
  return withOutput(
    project
      .command('create')
      .description('create a project with its environments (one namespace each)')
      .argument('<name>', 'project name (a DNS label, e.g. yourr-name)')
      .option('--environments <list>', 'ordered promotion pipeline, comma separated', 'test,acc,prod')
      .option('--display-name <text>', 'human-friendly name'),
  ).action(
    action(state, async (ctx, name: string, opts: { environments: string; displayName?: string }) => {
      const environments = parseEnvironments(opts.environments);
      const client = await ctx.client();
      const data = await client.request(CreateProjectMutation, {
        input: { name, environments, ...(opts.displayName ? { displayName: opts.displayName } : {}) },
      });
      const created = data.createProject;
      ctx.out.success(`Project ${created.name} created`);
      for (const env of environmentsInOrder(created)) ctx.out.success(`Namespace ${env.namespace} ready`);
      ctx.out.line(`Promotion pipeline: ${pipeline(created)}`);
      ctx.out.result(projectJson(created));
    }),
  );
}
