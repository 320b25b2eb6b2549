import { ConfigureAppMutation, type AppState } from '@kipper/client';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { jsonEnum } from '../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { appJson } from './app-json.js';

interface ConfigureOptions extends AppRefOptions {
  driftPolicy?: 'repair' | 'report';
  deployPolicy?: 'latest' | 'every';
  autoRollback?: boolean;
}

function parseBoolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === 'false' || v === 'off' || v === 'no') return false;
  throw new InvalidArgumentError('--auto-rollback is true or false.');
}

/** The settings as `configure` prints them, one per line. */
export function settingsLines(a: Pick<AppState, 'deployPolicy' | 'autoRollback' | 'driftPolicy'>): string[] {
  return [
    `Deploy policy: ${jsonEnum(a.deployPolicy)}`,
    `Auto rollback: ${a.autoRollback ? 'on' : 'off'}`,
    `Drift policy:  ${jsonEnum(a.driftPolicy)}`,
  ];
}

/**
 * `kip app configure APP [--drift-policy repair|report] [--deploy-policy latest|every]
 * [--auto-rollback true|false]`: how Kipper deploys and watches an existing app.
 */
export function appConfigureCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('configure')
        .description('set drift policy, deploy policy, auto rollback')
        .argument('<app>', 'app name')
        .addOption(new Option('--drift-policy <policy>', 'repair: put the cluster back to the record; report: only flag differences').choices(['repair', 'report']))
        .addOption(new Option('--deploy-policy <policy>', 'latest: the newest revision wins; every: deploy each in order').choices(['latest', 'every']))
        .option('--auto-rollback [true|false]', 'go back to the last live revision when a rollout fails (default true when given alone)', parseBoolean)
        .option('--no-auto-rollback', 'do not roll back automatically'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: ConfigureOptions) => {
      const ref = appRef(name, opts);
      const input = {
        ...(opts.driftPolicy ? { driftPolicy: opts.driftPolicy === 'report' ? ('REPORT' as const) : ('REPAIR' as const) } : {}),
        ...(opts.deployPolicy ? { deployPolicy: opts.deployPolicy === 'every' ? ('EVERY' as const) : ('LATEST' as const) } : {}),
        ...(opts.autoRollback !== undefined ? { autoRollback: opts.autoRollback } : {}),
      };
      if (Object.keys(input).length === 0) {
        throw new UsageError('Nothing to change: give --drift-policy repair|report, --deploy-policy latest|every or --auto-rollback true|false.');
      }
      const client = await ctx.client();
      const a = (await client.request(ConfigureAppMutation, { app: ref, input })).configureApp;
      ctx.out.success(`Settings of ${a.name} (${a.namespace}) saved`);
      for (const line of settingsLines(a)) ctx.out.line(line);
      ctx.out.result({ app: appJson(a) });
    }),
  );
}
