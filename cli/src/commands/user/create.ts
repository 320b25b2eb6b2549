import { CreateUserMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { withOutput } from '../../options.js';
import { newPassword } from './password-input.js';
import { userJson } from './user-json.js';

interface CreateOptions {
  admin?: boolean;
  displayName?: string;
  passwordStdin?: boolean;
}

/** `kip user create NAME [--admin] [--display-name TEXT] [--password-stdin]` (instance admins). */
export function userCreateCommand(user: Command, state: RunState): Command {
  return withOutput(
    user
      .command('create')
      .description('create a person who signs in with a password (instance admins)')
      .argument('<name>', 'sign-in name: lowercase letters, digits, . _ -')
      .option('--admin', 'an instance admin: manages people and projects, admin in every project')
      .option('--display-name <text>', 'the name people see')
      .option('--password-stdin', 'read the password from the first line of stdin instead of asking'),
  ).action(
    action(state, async (ctx, name: string, opts: CreateOptions) => {
      const password = await newPassword(ctx, opts.passwordStdin);
      const client = await ctx.client();
      const { createUser } = await client.request(CreateUserMutation, { input: { name, password, admin: opts.admin ?? false, ...(opts.displayName ? { displayName: opts.displayName } : {}) } });
      ctx.out.success(`User ${createUser.name} created${createUser.admin ? ' (instance admin)' : ''}`);
      ctx.out.line(`Add them to a project: kip project member add PROJECT ${createUser.name} --role viewer|deployer|admin`);
      ctx.out.result(userJson(createUser));
    }),
  );
}
