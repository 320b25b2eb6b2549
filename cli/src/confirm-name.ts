import type { Context } from './action.js';
import { UsageError } from './errors.js';
import { askLine, interactive } from './prompt.js';

/**
 * Deletions ask for the name to be typed on a terminal (a `y` is too easy to give by habit);
 * without a terminal they need --yes. True when the caller may go on.
 */
/** Refuses at once, before anything is read, when there is no terminal to ask on and no --yes. */
export function assertConfirmable(ctx: Context, what: string, yes: boolean | undefined): void {
  if (!yes && !interactive(ctx.io)) throw new UsageError(`Deleting ${what} needs confirmation: run it on a terminal and type its name, or pass --yes.`);
}

export async function confirmByName(ctx: Context, what: string, name: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  assertConfirmable(ctx, what, yes);
  const typed = await askLine(ctx.io, `Type ${name} to delete ${what}: `);
  if (typed === name) return true;
  ctx.out.line(`Not deleted: "${typed}" is not ${name}.`);
  return false;
}
