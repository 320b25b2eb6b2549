import { ChangePasswordMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { withOutput } from '../../options.js';
import { askSecret, interactive, readStdinLines } from '../../prompt.js';
import { newPassword } from './password-input.js';

interface PasswdOptions {
  passwordStdin?: boolean;
}

/**
 * `kip user passwd [NAME]`: your own password (asks the current one first), or as an instance
 * admin someone else's. With --password-stdin: stdin's first line is the new password, and for
 * your own the second line the current one.
 */
export function userPasswdCommand(user: Command, state: RunState): Command {
  return withOutput(
    user
      .command('passwd')
      .description('change your password, or (instance admins) set another person\'s')
      .argument('[name]', 'another person (instance admins)')
      .option('--password-stdin', 'read the new password (then, for your own, the current one) from stdin'),
  ).action(
    action(state, async (ctx, name: string | undefined, opts: PasswdOptions) => {
      let current: string | null = null;
      let next: string;
      if (opts.passwordStdin) {
        const lines = await readStdinLines(ctx.io);
        next = lines[0] ?? '';
        if (!name) current = lines[1] ?? '';
        if (!next) throw new UsageError('--password-stdin read an empty line.');
      } else {
        if (!interactive(ctx.io)) throw new UsageError('Give the passwords on stdin with --password-stdin (no terminal to ask on).');
        if (!name) current = await askSecret(ctx.io, 'Current password: ');
        next = await newPassword(ctx, false, 'New password');
      }
      const client = await ctx.client();
      await client.request(ChangePasswordMutation, { name: name ?? null, currentPassword: current, newPassword: next });
      ctx.out.success(name ? `Password of ${name} set; their console sessions ended` : 'Password changed; your console sessions ended');
      ctx.out.result({ name: name ?? null, changed: true });
    }),
  );
}
