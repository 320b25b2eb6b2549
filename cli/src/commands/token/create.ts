import { CreateTokenMutation } from '@kipper/client';
import { type Command, Option } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { withOutput } from '../../options.js';
import { tokenJson } from './token-json.js';

interface CreateOptions {
  project?: string;
  environment?: string;
  role?: 'deployer' | 'viewer';
  expires?: string;
}

const UNIT_MS = { h: 3600_000, d: 86_400_000 } as const;

/** `90d`, `12h` → a date that far from now. */
export function expiryFrom(value: string, now: Date): Date {
  const match = /^(\d{1,5})([hd])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw new UsageError(`--expires takes a duration such as 90d or 12h, not "${value}".`);
  return new Date(now.getTime() + Number(match[1]) * UNIT_MS[match[2] as 'h' | 'd']);
}

/** `kip token create NAME [--project P [--environment E]] [--role deployer|viewer] [--expires 90d]`: prints the token once. */
export function tokenCreateCommand(token: Command, state: RunState): Command {
  return withOutput(
    token
      .command('create')
      .description('create an API token (printed once): personal, or limited to a project (and environment)')
      .argument('<name>', 'a name to recognise it by, e.g. "github actions"')
      .option('-p, --project <project>', 'limit the token to this project (it acts as token:NAME)')
      .option('-e, --environment <environment>', 'and to this environment of the project (with --project)')
      .addOption(new Option('--role <role>', 'what a project token may do (never more than you)').choices(['deployer', 'viewer']))
      .option('--expires <duration>', 'expire after this long, e.g. 90d or 12h'),
  ).action(
    action(state, async (ctx, name: string, opts: CreateOptions) => {
      if (opts.environment && !opts.project) throw new UsageError('--environment needs --project.');
      if (opts.role && !opts.project) throw new UsageError('--role limits a project token: give --project too.');
      const expiresAt = opts.expires ? expiryFrom(opts.expires, ctx.now()) : null;
      const client = await ctx.client();
      const { createToken } = await client.request(CreateTokenMutation, {
        input: {
          name,
          project: opts.project ?? null,
          environment: opts.environment ?? null,
          role: opts.role ? (opts.role.toUpperCase() as 'DEPLOYER' | 'VIEWER') : null,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
      });
      ctx.out.success(`Token ${createToken.token.name} created. It is shown this once; Kipper keeps only its hash:`);
      ctx.out.line(createToken.value);
      ctx.out.result({ ...tokenJson(createToken.token), token: createToken.value });
    }),
  );
}
