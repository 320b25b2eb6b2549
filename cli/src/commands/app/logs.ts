import { PodLogsSubscription, type KipperClientError, type PodLogLine } from '@kipper/client';
import type { Command } from 'commander';
import { action, type Context, type RunState } from '../../action.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

interface LogsOptions extends AppRefOptions {
  follow?: boolean;
  tail: number;
  pod?: string;
}

/** `kip app logs APP [-f] [--tail N] [--pod NAME]`: the app's pod logs, over the live connection. */
export function appLogsCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('logs')
        .description('logs of the app\'s pods; -f follows until Ctrl-C')
        .argument('<app>', 'app name')
        .option('-f, --follow', 'keep printing new lines, also of pods that start later, until Ctrl-C')
        .option('--tail <n>', 'lines from the end of each pod\'s log to start with', parseIntOption('--tail', 0), 100)
        .option('--pod <name>', 'one pod of the app (see `kip app pods`)'),
    ),
  ).action(action(state, async (ctx, name: string, opts: LogsOptions) => printLogs(ctx, name, opts)));
}

async function printLogs(ctx: Context, name: string, opts: LogsOptions): Promise<number> {
  const client = await ctx.client();
  const print = (line: PodLogLine) => {
    // One JSON object per line with -o json, so `kip app logs -f -o json | jq` works as lines arrive.
    if (ctx.out.json) ctx.io.stdout.write(`${JSON.stringify({ pod: line.pod, line: line.line, at: line.at })}\n`);
    else ctx.out.line(opts.pod ? line.line : `[${line.pod}] ${line.line}`);
  };
  const failure = await new Promise<KipperClientError | null>((resolve) => {
    const subscription = client.subscribe(
      PodLogsSubscription,
      { app: appRef(name, opts), pod: opts.pod ?? null, follow: opts.follow === true, tail: opts.tail },
      { next: (data) => print(data.podLogs), error: (error) => done(error), complete: () => done(null) },
    );
    // Ctrl-C ends a follow as its normal end: the subscription (and the api's cluster streams) close, exit 0.
    // Only while this command runs, so every other command keeps Node's default Ctrl-C.
    const interrupt = () => done(null);
    process.once('SIGINT', interrupt);
    function done(error: KipperClientError | null) {
      process.off('SIGINT', interrupt);
      subscription.unsubscribe();
      resolve(error);
    }
  });
  if (failure) throw ctx.explain(failure);
  return 0;
}
