import { AppsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appStatusWord, healthWord, revisionJson, table, word } from '../../format.js';
import { withOutput } from '../../options.js';
import { appJson } from './app-json.js';

/** `kip app list`: a table `NAME  NAMESPACE  SOURCE  REVISION  STATUS  HEALTH  IMAGE`. */
export function appListCommand(app: Command, state: RunState): Command {
  return withOutput(
    app
      .command('list')
      .description('list apps and their current revision')
      .option('-p, --project <project>', 'only apps of this project')
      .option('-e, --environment <environment>', 'only apps of this environment'),
  ).action(
    action(state, async (ctx, opts: { project?: string; environment?: string }) => {
      const client = await ctx.client();
      const data = await client.request(AppsQuery, {
        project: opts.project ?? null,
        environment: opts.environment ?? null,
      });
      // Projects by name, then environments in pipeline order (test, acc, prod), then apps by name.
      const apps = [...data.apps].sort(
        (a, b) => a.project.name.localeCompare(b.project.name) || a.environment.position - b.environment.position || a.name.localeCompare(b.name),
      );
      if (apps.length === 0) {
        ctx.out.line('No apps yet. Deploy one with `kip app deploy --name NAME --image IMAGE --port PORT`.');
      } else {
        const rows = apps.map((a) => [
          a.name,
          a.namespace,
          word(a.source),
          a.currentRevision ? `#${a.currentRevision.number}` : '-',
          appStatusWord(a.revisions.nodes[0], a.currentRevision),
          // Health is the cluster's view (the worker's last observation); a pin is shown with it.
          `${a.health ? healthWord(a.health.status) : '-'}${a.pin ? ' (pinned)' : ''}`,
          a.currentRevision?.image ?? a.image ?? '-',
        ]);
        for (const line of table(['NAME', 'NAMESPACE', 'SOURCE', 'REVISION', 'STATUS', 'HEALTH', 'IMAGE'], rows)) ctx.out.line(line);
      }
      ctx.out.result({
        apps: apps.map((a) => ({
          ...appJson(a),
          currentRevision: a.currentRevision ? revisionJson(a.currentRevision) : null,
        })),
      });
    }),
  );
}
