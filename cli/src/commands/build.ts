import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonEnum, word } from '../format.js';
import { BuildLogSubscription, BuildsQuery, BuildStatusQuery, RebuildMutation } from '../graphql/operations.js';
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

  // With --follow, subscribe before reading the log so no line falls between the two.
  const streamed: string[] = [];
  let printLine: ((line: string) => void) | undefined;
  let subscription: ReturnType<typeof client.subscribe> | undefined;

  let data = await query();
  const a = data.app;
  if (!a) throw notFound(name, opts);
  const pick = () => (opts.build ? data.app?.builds.find((b) => b.number === opts.build) : data.app?.builds[0]);
  let build = pick();
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

  if (opts.follow && running(build.status) && !ctx.out.json) {
    subscription = client.subscribe(
      BuildLogSubscription,
      { buildId: build.id },
      {
        next: (d) => (printLine ? printLine(d.buildLog.line) : streamed.push(d.buildLog.line)),
        error: (e) => ctx.out.warn(`Live log stopped (${e.message}); the rest is printed when the build ends.`),
      },
    );
    await subscription.ready.catch(() => undefined);
    data = await query();
    build = pick() ?? build;
  }

  const printed = [...build.log];
  for (const line of printed) ctx.out.line(line);

  if (subscription) {
    // Lines that arrived while the log was read may already be in it: skip that overlap.
    let overlap = 0;
    for (let k = Math.min(streamed.length, printed.length); k > 0; k--) {
      if (streamed.slice(0, k).every((l, i) => l === printed[printed.length - k + i])) {
        overlap = k;
        break;
      }
    }
    for (const line of streamed.slice(overlap)) ctx.out.line(line);
    let count = printed.length + streamed.length - overlap;
    printLine = (line) => {
      count++;
      ctx.out.line(line);
    };
    const id = build.id;
    let status = build.status;
    let failure = build.failureReason;
    while (running(status)) {
      await new Promise((r) => setTimeout(r, 2_000));
      const b = (await client.request(BuildStatusQuery, { id })).build;
      if (!b) break;
      status = b.status;
      failure = b.failureReason;
    }
    subscription.unsubscribe();
    // Print what the live stream may have missed.
    const final = (await query()).app?.builds.find((b) => b.id === id);
    if (final && final.log.length > count && !opts.tail) for (const line of final.log.slice(count)) ctx.out.line(line);
    build = { ...build, status, failureReason: failure };
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
