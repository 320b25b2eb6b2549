import { UsersQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { relativeTime, table } from '../../format.js';
import { withOutput } from '../../options.js';
import { userJson } from './user-json.js';

/** `kip user list`: NAME  DISPLAY NAME  ADMIN  STATUS  CREATED (instance admins). */
export function userListCommand(user: Command, state: RunState): Command {
  return withOutput(user.command('list').description('list people (instance admins)')).action(
    action(state, async (ctx) => {
      const client = await ctx.client();
      const { users } = await client.request(UsersQuery, {});
      const rows = users.map((u) => [u.name, u.displayName ?? '', u.admin ? 'yes' : '', u.disabledAt ? 'disabled' : 'active', relativeTime(u.createdAt, ctx.now())]);
      for (const line of table(['NAME', 'DISPLAY NAME', 'ADMIN', 'STATUS', 'CREATED'], rows)) ctx.out.line(line);
      ctx.out.result({ users: users.map(userJson) });
    }),
  );
}
