import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonEnum, word } from '../format.js';
import { BuildLogSubscription, BuildsQuery, BuildProgressQuery, RebuildMutation } from '../graphql/operations.js';
import { action, appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions, type Context, type RunState } from './common.js';
import { notFound } from './app.js';
import { runRevisionFlow, withWait, type WaitFlags } from './revision-flow.js';

interface BuildLogsOptions extends AppRefOptions {
  build?: number;
  follow?: boolean;
  tail?: number;
}

const running = (status: string) => status === 'QUEUED' || status === 'RUNNING';

export function registerBuild(app: Command, state: RunState): void {
  withWait(
    withAppRef(
      withOutput(
        app
          .command('rebuild')
          .description('build a git app again and deploy it')
          .argument('<app>', 'app name')
          .option('--commit <sha>', 'commit to build (default: the head of the branch)'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags & { commit?: string }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(RebuildMutation, { app: ref, commit: opts.commit ?? null })).rebuildApp,
        report: (r) => {
          const what = r.commit ?? opts.commit ?? `the head of ${r.app.gitBranch ?? 'its branch'}`;
          ctx.out.success(`Rebuilding ${name} from ${what} (revision #${r.number}${r.build ? `, build #${r.build.number}` : ''})`);
          ctx.out.line(`Follow the build with: kip app build-logs ${name} --follow${ref.namespace ? ` --namespace ${r.app.namespace}` : ''}`);
        },
        json: () => ({ app: name }),
      });
    }),
  );

  withAppRef(
    withOutput(
      app
        .command('build-logs')
        .description('print or --follow the log of the latest build')
        .argument('<app>', 'app name')
        .option('--build <n>', 'build number (default: the latest)', parseIntOption('--build', 1))
        .option('-f, --follow', 'keep printing lines until the build finishes')
        .option('--tail <n>', 'only the last N lines', parseIntOption('--tail', 1)),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: BuildLogsOptions) => buildLogs(ctx, name, opts)),
  );
}

async function buildLogs(ctx: Context, name: string, opts: BuildLogsOptions): Promise<number> {
  const ref = appRef(name, opts);
  const client = await ctx.client();
  const first = opts.build ? 50 : 1;
  const query = () => client.request(BuildsQuery, { app: ref, first, tail: opts.tail ?? null });

  const a = (await query()).app;
  if (!a) throw notFound(name, opts);
  let build = opts.build ? a.builds.find((b) => b.number === opts.build) : a.builds[0];
  if (!build) {
    if (opts.build) throw new CliError(`Build #${opts.build} of ${name} not found.`, 1, 'BUILD_NOT_FOUND');
    throw new CliError(
      a.source === 'GIT'
        ? `${name} has no builds yet. Start one with \`kip app rebuild ${name}\`.`
        : `${name} is an image app; builds run for git apps (kip app deploy --git URL).`,
      1,
      'BUILD_NOT_FOUND',
    );
  }
  for (const line of build.log) ctx.out.line(line);

  if (opts.follow && running(build.status) && !ctx.out.json) {
    // After --tail the printed lines are the last ones: follow from the end of the whole log.
    const from = opts.tail ? ((await client.request(BuildProgressQuery, { id: build.id, from: 0 })).build?.log.length ?? 0) : build.log.length;
    build = { ...build, ...(await followBuild(ctx, client, build.id, from)) };
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
    if (build.status === 'FAILED') throw new CliError(`Build #${build.number} failed${build.failureReason ? `: ${build.failureReason}` : ''}`, 1, 'BUILD_FAILED');
    ctx.out.note(`Build #${build.number} ${word(build.status)}`);
  }
  return 0;
}

type Client = Awaited<ReturnType<Context['client']>>;

/**
 * Prints a running build's new lines until it ends. PostgreSQL holds the log (the worker
 * appends it in small batches), so lines are read by index from there: whenever the follower
 * joins, no line is lost or printed twice. Live log events only wake the loop early.
 */
async function followBuild(ctx: Context, client: Client, id: string, from: number) {
  let printed = from;
  let wake: (() => void) | undefined;
  const subscription = client.subscribe(BuildLogSubscription, { buildId: id }, { next: () => wake?.(), error: () => undefined });
  try {
    for (;;) {
      const build = (await client.request(BuildProgressQuery, { id, from: printed })).build;
      if (!build) throw new CliError(`The build was deleted while it was followed.`, 1, 'BUILD_NOT_FOUND');
      for (const line of build.log) ctx.out.line(line);
      printed += build.log.length;
      if (!running(build.status)) return { status: build.status, failureReason: build.failureReason, image: build.image };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        // A line was published: it is stored within the worker's flush interval (250 ms).
        wake = () => {
          clearTimeout(timer);
          setTimeout(resolve, 300);
        };
      });
    }
  } finally {
    subscription.unsubscribe();
  }
}
