import { DisableUserMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { withOutput } from '../../options.js';
import { userJson } from './user-json.js';

/** `kip user disable NAME`: no more sign-in; their sessions and tokens end at once (instance admins). */
export function userDisableCommand(user: Command, state: RunState): Command {
  return withOutput(user.command('disable').description('disable a person: sessions and tokens end at once (instance admins)').argument('<name>', 'the person')).action(
    action(state, async (ctx, name: string) => {
      const client = await ctx.client();
      const { disableUser } = await client.request(DisableUserMutation, { name });
      ctx.out.success(`User ${disableUser.name} disabled: their sessions and tokens no longer work`);
      ctx.out.result(userJson(disableUser));
    }),
  );
}
