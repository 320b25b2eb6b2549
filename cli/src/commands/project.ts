import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { table } from '../format.js';
import { CreateProjectMutation, ProjectsQuery, type ProjectData } from '../graphql/operations.js';
import { action, withOutput, type RunState } from './common.js';

function pipeline(project: ProjectData): string {
  return [...project.environments]
    .sort((a, b) => a.position - b.position)
    .map((e) => e.name)
    .join(' → ');
}

function projectJson(project: ProjectData) {
  return {
    name: project.name,
    displayName: project.displayName,
    createdAt: project.createdAt,
    environments: [...project.environments]
      .sort((a, b) => a.position - b.position)
      .map((e) => ({ name: e.name, namespace: e.namespace, position: e.position })),
  };
}

export function parseEnvironments(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--environments needs at least one name, e.g. test,acc,prod.');
  return names;
}

export function registerProject(program: Command, state: RunState): void {
  const project = program.command('project').description('create and list projects and their environments');

  withOutput(
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
      for (const env of [...created.environments].sort((a, b) => a.position - b.position)) {
        ctx.out.success(`Namespace ${env.namespace} ready`);
      }
      ctx.out.line(`Promotion pipeline: ${pipeline(created)}`);
      ctx.out.result(projectJson(created));
    }),
  );

  withOutput(project.command('list').description('list projects and their promotion pipelines')).action(
    action(state, async (ctx) => {
      const client = await ctx.client();
      const data = await client.request(ProjectsQuery, {});
      if (data.projects.length === 0) {
        ctx.out.line('No projects yet. Create one with `kip project create NAME`.');
      } else {
        for (const line of table(
          ['NAME', 'DISPLAY NAME', 'PIPELINE'],
          data.projects.map((p) => [p.name, p.displayName, pipeline(p)]),
        )) {
          ctx.out.line(line);
        }
      }
      ctx.out.result({ projects: data.projects.map(projectJson) });
    }),
  );
}
