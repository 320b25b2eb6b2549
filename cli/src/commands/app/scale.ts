import { UpdateAppSettingsMutation } from '@kipper/client';
import { InvalidArgumentError, type Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { changeJson } from './settings-view.js';

function parseReplicas(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('REPLICAS must be a whole number (0 stops every pod).');
  return Number(value);
}

/** `kip app scale APP N`: replicas, applied to the cluster at once (no revision; audited). */
export function appScaleCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('scale')
        .description('set the number of pods (no revision)')
        .argument('<app>', 'app name')
        .argument('<n>', 'number of pods, 0-50', parseReplicas),
    ),
  ).action(
    action(state, async (ctx, name: string, replicas: number, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const r = (await client.request(UpdateAppSettingsMutation, { app: ref, input: { replicas } })).updateAppSettings;
      ctx.out.success(`Scaled ${r.app.name} (${r.app.namespace}) to ${r.app.replicas} replica${r.app.replicas === 1 ? '' : 's'}`);
      ctx.out.result(changeJson(r.app, null));
    }),
  );
}
