import { BuildQuery, BuildsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type Context, type RunState } from '../../action.js';
import { appNotFound, CliError } from '../../errors.js';
import { assertBuilt, buildRunning, followBuild } from '../../follow-build.js';
import { jsonEnum, word } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

interface BuildLogsOptions extends AppRefOptions {
  build?: number;
  follow?: boolean;
  tail?: number;
}

/** `kip app build-logs APP [--build N] [--tail N] [--follow]`. */
export function appBuildLogsCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('build-logs')
        .description('print or --follow the log of the latest build')
        .argument('<app>', 'app name')
        .option('--build <n>', 'build number (default: the latest)', parseIntOption('--build', 1))
        .option('-f, --follow', 'keep printing lines until the build finishes')
        .option('--tail <n>', 'only the last N lines', parseIntOption('--tail', 1)),
    ),
  ).action(action(state, async (ctx, name: string, opts: BuildLogsOptions) => buildLogs(ctx, name, opts)));
}

async function buildLogs(ctx: Context, name: string, opts: BuildLogsOptions): Promise<number> {
  const ref = appRef(name, opts);
  const client = await ctx.client();
  const first = opts.build ? 50 : 1;
  const a = (await client.request(BuildsQuery, { app: ref, first })).app;
  if (!a) throw appNotFound(name, opts);
  const listed = opts.build ? a.builds.find((b) => b.number === opts.build) : a.builds[0];
  if (!listed) {
    if (opts.build) throw new CliError(`Build #${opts.build} of ${name} not found.`, 1, 'BUILD_NOT_FOUND');
    throw new CliError(
      a.source === 'GIT'
        ? `${name} has no builds yet. Start one with \`kip app rebuild ${name}\`.`
        : `${name} is an image app; builds run for git apps (kip app deploy --git URL).`,
      1,
      'BUILD_NOT_FOUND',
    );
  }
  const logged = (await client.request(BuildQuery, { id: listed.id, from: null, tail: opts.tail ?? null })).build;
  let build = { ...listed, log: logged?.log ?? [] };
  for (const line of build.log) ctx.out.line(line);

  if (opts.follow && buildRunning(build.status) && !ctx.out.json) {
    // After --tail the printed lines are the last ones: follow from the end of the whole log.
    const from = opts.tail ? ((await client.request(BuildQuery, { id: build.id, from: 0, tail: null })).build?.log.length ?? 0) : build.log.length;
    build = { ...build, ...(await followBuild(ctx, client, build.id, from, ref)) };
  }
  ctx.out.result({
    app: a.name,
    namespace: a.namespace,
    build: {
      number: build.number,
      commit: build.commit,
      status: jsonEnum(build.status),
      image: build.image,
      failureReason: build.failureReason,
      revision: build.revision?.number ?? null,
      log: build.log,
    },
  });
  if (opts.follow) {
    // Failed, cancelled or superseded: exit 1 with the reason; succeeded: say so.
    assertBuilt(build);
    ctx.out.note(`Build #${build.number} ${word(build.status)}`);
  }
  return 0;
}
