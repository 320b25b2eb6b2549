import { UpdateAppEnvMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { parseEnvAssignment } from '../../../env-args.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';
import { runChangeFlow, withWait, type WaitFlags } from '../../../revision-flow.js';
import { changeJson, revisionLine } from '../settings-view.js';

interface EnvSetOptions extends AppRefOptions, WaitFlags {
  secret?: boolean;
}

/**
 * `kip app env set APP KEY=VALUE… [--secret] [--wait]`: one `config` revision for all of them.
 * Secret values (--secret, or names like *_TOKEN, *_SECRET, *_PASSWORD, *_KEY) go to a Kubernetes
 * Secret; the values never appear in the output.
 */
export function envSetCommand(env: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        env
          .command('set')
          .description('set variables (a new revision)')
          .argument('<app>', 'app name')
          .argument('<vars...>', 'KEY=VALUE, one or more')
          .option('--secret', 'keep the values in a Kubernetes Secret and mask them (always so for *_TOKEN, *_SECRET, *_PASSWORD, *_KEY)'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, assignments: string[], opts: EnvSetOptions) => {
      const ref = appRef(name, opts);
      const set = assignments.map((a) => ({ ...parseEnvAssignment(a), ...(opts.secret ? { secret: true } : {}) }));
      const client = await ctx.client();
      return runChangeFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(UpdateAppEnvMutation, { app: ref, input: { set } })).updateAppEnv,
        deploys: (r) => r.revision,
        report: (r) => {
          const secret = new Set(r.app.env.filter((e) => e.secret).map((e) => e.name));
          const names = set.map((v) => (secret.has(v.name) ? `${v.name} (secret)` : v.name));
          ctx.out.success(`Set ${names.join(', ')} on ${r.app.name} (${r.app.namespace})`);
          ctx.out.line(revisionLine(r.app.name, r.revision));
        },
        json: (r, deployed) => changeJson(r.app, deployed),
      });
    }),
  );
}
