import { UpdateAppSettingsMutation } from '@kipper/client';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runChangeFlow, withWait, type WaitFlags } from '../../revision-flow.js';
import { changeJson, revisionLine, settingsLines } from './settings-view.js';

interface SetOptions extends AppRefOptions, WaitFlags {
  replicas?: number;
  port?: number;
  host?: string;
  driftPolicy?: 'repair' | 'report';
  deployPolicy?: 'latest' | 'every';
  autoRollback?: boolean;
}

/** `--auto-rollback` alone is on; `--auto-rollback false` (and the older `true|false` spelling) still works. */
function parseBoolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === 'false' || v === 'off' || v === 'no') return false;
  throw new InvalidArgumentError('--auto-rollback is true or false (or use --no-auto-rollback).');
}

/**
 * `kip app set APP [--replicas N] [--port P] [--host H] [--deploy-policy latest|every]
 * [--auto-rollback|--no-auto-rollback] [--drift-policy repair|report] [--wait]`; `kip app configure`
 * is the same command under its older name. A new port is a `config` revision (followed with
 * --wait); replicas and host apply at once.
 */
export function appSetCommand(app: Command, state: RunState): Command {
  return defineSet(app, state, 'set');
}

/** `configure`, the older name: the same command, left out of --help. */
export function appConfigureCommand(app: Command, state: RunState): Command {
  return defineSet(app, state, 'configure');
}

function defineSet(app: Command, state: RunState, name: 'set' | 'configure'): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command(name, { hidden: name === 'configure' })
          .description(name === 'set' ? 'change port, replicas, host and policies' : 'the same as set')
          .argument('<app>', 'app name')
          .option('--replicas <n>', 'number of pods, 0-50 (applied at once, no revision)', parseIntOption('--replicas', 0))
          .option('--port <port>', 'port the container listens on, 1-65535 (a new revision)', parseIntOption('--port', 1))
          .option('--host <host>', 'public host name (an Ingress); "" removes it')
          .addOption(new Option('--deploy-policy <policy>', 'latest: the newest revision wins; every: deploy each in order').choices(['latest', 'every']))
          .option('--auto-rollback [true|false]', 'go back to the last live revision when a rollout fails', parseBoolean)
          .option('--no-auto-rollback', 'leave a failed rollout as it is')
          .addOption(new Option('--drift-policy <policy>', 'repair: put the cluster back to the record; report: only flag differences').choices(['repair', 'report'])),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: SetOptions) => {
      const ref = appRef(name, opts);
      const input = {
        ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        ...(opts.driftPolicy ? { driftPolicy: opts.driftPolicy === 'report' ? ('REPORT' as const) : ('REPAIR' as const) } : {}),
        ...(opts.deployPolicy ? { deployPolicy: opts.deployPolicy === 'every' ? ('EVERY' as const) : ('LATEST' as const) } : {}),
        ...(opts.autoRollback !== undefined ? { autoRollback: opts.autoRollback } : {}),
      };
      if (Object.keys(input).length === 0) {
        throw new UsageError('Nothing to change: give --replicas, --port, --host, --deploy-policy, --auto-rollback/--no-auto-rollback or --drift-policy.');
      }
      const client = await ctx.client();
      return runChangeFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(UpdateAppSettingsMutation, { app: ref, input })).updateAppSettings,
        deploys: (r) => r.revision,
        report: (r) => {
          ctx.out.success(`Settings of ${r.app.name} (${r.app.namespace}) saved`);
          for (const line of settingsLines(r.app)) ctx.out.line(line);
          if (r.revision) ctx.out.line(revisionLine(r.app.name, r.revision));
        },
        json: (r, deployed) => changeJson(r.app, deployed),
      });
    }),
  );
}
