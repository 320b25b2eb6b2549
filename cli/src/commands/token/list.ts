import { TokensQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { relativeTime, table } from '../../format.js';
import { withOutput } from '../../options.js';
import { scopeOf, tokenJson } from './token-json.js';

/** `kip token list [--all]`: NAME  OWNER  SCOPE  ROLE  CREATED  LAST USED  EXPIRES (never the token). */
export function tokenListCommand(token: Command, state: RunState): Command {
  return withOutput(token.command('list').description('list your API tokens (never their values)').option('--all', 'everyone\'s (instance admins)')).action(
    action(state, async (ctx, opts: { all?: boolean }) => {
      const client = await ctx.client();
      const { tokens } = await client.request(TokensQuery, { all: opts.all ?? false });
      const now = ctx.now();
      const when = (at: string | null | undefined, none: string) => (at ? relativeTime(at, now) : none);
      const rows = tokens.map((t) => [
        t.name,
        t.owner ?? '',
        scopeOf(t),
        t.role ? t.role.toLowerCase() : '(owner\'s)',
        when(t.createdAt, ''),
        when(t.lastUsedAt, 'never'),
        t.revokedAt ? 'revoked' : t.expiresAt ? (new Date(t.expiresAt) <= now ? 'expired' : utcDay(t.expiresAt)) : 'never',
      ]);
      if (tokens.length === 0) ctx.out.line('No tokens yet. Create one with `kip token create NAME`.');
      else for (const line of table(['NAME', 'OWNER', 'SCOPE', 'ROLE', 'CREATED', 'LAST USED', 'EXPIRES'], rows)) ctx.out.line(line);
      ctx.out.result({ tokens: tokens.map(tokenJson) });
    }),
  );
}

function utcDay(at: string): string {
  return at.slice(0, 10);
}
