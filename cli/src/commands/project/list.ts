import { ProjectsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { table } from '../../format.js';
import { withOutput } from '../../options.js';
import { pipeline, projectJson } from './project-json.js';

/** `kip project list`: a table `NAME  DISPLAY NAME  PIPELINE`. */
export function projectListCommand(project: Command, state: RunState): Command {
  return withOutput(project.command('list').description('list projects and their promotion pipelines')).action(
    action(state, async (ctx) => {
      const client = await ctx.client();
      const data = await client.request(ProjectsQuery, {});
      if (data.projects.length === 0) {
        ctx.out.line('No projects yet. Create one with `kip project create NAME`.');
      } else {
        const rows = data.projects.map((p) => [p.name, p.displayName, pipeline(p)]);
        for (const line of table(['NAME', 'DISPLAY NAME', 'PIPELINE'], rows)) ctx.out.line(line);
      }
      ctx.out.result({ projects: data.projects.map(projectJson) });
    }),
  );
}
