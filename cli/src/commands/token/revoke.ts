import { RevokeTokenMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { withOutput } from '../../options.js';
import { tokenJson } from './token-json.js';

/** `kip token revoke NAME [--owner PERSON]`: refused from the next request on; open live updates close within seconds. */
export function tokenRevokeCommand(token: Command, state: RunState): Command {
  return withOutput(
    token
      .command('revoke')
      .description('revoke an API token at once')
      .argument('<name>', 'the token\'s name (kip token list)')
      .option('--owner <person>', 'a token of another person (instance admins)'),
  ).action(
    action(state, async (ctx, name: string, opts: { owner?: string }) => {
      const client = await ctx.client();
      const { revokeToken } = await client.request(RevokeTokenMutation, { name, owner: opts.owner ?? null });
      ctx.out.success(`Token ${revokeToken.name} revoked: it is refused from now on`);
      ctx.out.result(tokenJson(revokeToken));
    }),
  );
}
