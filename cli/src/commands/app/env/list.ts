import { AppEnvQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { table } from '../../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

const MASK = '********';

/** `kip app env list APP [--reveal]`: secret values masked unless --reveal (deployer role; audited). */
export function envListCommand(env: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      env
        .command('list')
        .description('list variables; secrets masked')
        .argument('<app>', 'app name')
        .option('--reveal', 'show secret values (needs the deployer role; recorded in the audit log)'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { reveal?: boolean }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const vars = (await client.request(AppEnvQuery, { app: ref, reveal: opts.reveal === true })).appEnv;
      if (vars.length === 0) ctx.out.line(`${name} has no environment variables.`);
      else for (const line of table(['NAME', 'VALUE', 'SECRET'], vars.map((v) => [v.name, v.value ?? MASK, v.secret ? 'yes' : '']))) ctx.out.line(line);
      ctx.out.result({ app: name, env: vars.map((v) => ({ name: v.name, value: v.value, secret: v.secret, fingerprint: v.fingerprint })) });
    }),
  );
}
