import type { Context } from '../../action.js';
import { UsageError } from '../../errors.js';
import { askSecret, interactive, readStdinLines } from '../../prompt.js';

/**
 * A new password: the first line of stdin with `--password-stdin`, else asked twice on the
 * terminal (never an argument: it would show in the process list and the shell history).
 */
export async function newPassword(ctx: Context, fromStdin: boolean | undefined, label = 'Password'): Promise<string> {
  if (fromStdin) {
    const [password] = await readStdinLines(ctx.io);
    if (!password) throw new UsageError('--password-stdin read an empty line.');
    return password;
  }
  if (!interactive(ctx.io)) throw new UsageError('Give the password on stdin with --password-stdin (no terminal to ask on).');
  const first = await askSecret(ctx.io, `${label}: `);
  const second = await askSecret(ctx.io, `${label} again: `);
  if (first !== second) throw new UsageError('The passwords differ. Nothing was changed.');
  return first;
}
