import { KipperClientError, VerifyTokenQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../action.js';
import { normaliseServer, writeConfig } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { withOutput } from '../options.js';
import { personalTokenFromPassword } from '../password-login.js';
import { askLine, askSecret, interactive, readStdinLines } from '../prompt.js';

interface LoginOptions {
  server: string;
  token?: string;
  name?: string;
  passwordStdin?: boolean;
  verify: boolean;
}

/**
 * `kip login --server URL --token TOKEN`: checks the token, then saves both (file mode 0600).
 * Without --token: asks name and password (or --name and --password-stdin), creates a personal
 * token `kip on HOST` and saves that; the password is never saved.
 */
export function loginCommand(program: Command, state: RunState): Command {
  return withOutput(
    program
      .command('login')
      .description('save the Kipper server URL and an API token (given, or created by signing in with name and password)')
      .requiredOption('--server <url>', 'Kipper server URL, e.g. https://console-api.example.com')
      .option('--token <token>', 'API token (else: sign in with name and password)')
      .option('--name <name>', 'sign-in name (else asked)')
      .option('--password-stdin', 'read the password from the first line of stdin instead of asking')
      .option('--no-verify', 'save the token without checking it against the server'),
  ).action(
    action(state, async (ctx, opts: LoginOptions) => {
      const server = normaliseServer(opts.server);
      let token = opts.token?.trim();
      let created: string | undefined;
      if (opts.token !== undefined) {
        if (!token) throw new UsageError('The token is empty.');
      } else {
        if (!opts.passwordStdin && !interactive(ctx.io)) throw new UsageError('Give --token TOKEN, or --name NAME with the password on stdin (--password-stdin).');
        const name = opts.name ?? (await askLine(ctx.io, 'Name: '));
        const password = opts.passwordStdin ? ((await readStdinLines(ctx.io))[0] ?? '') : await askSecret(ctx.io, 'Password: ');
        if (!name || !password) throw new UsageError('Give a name and a password.');
        const made = await personalTokenFromPassword(server, name.trim().toLowerCase(), password);
        token = made.token;
        created = made.tokenName;
      }
      if (opts.verify && !created) {
        const client = await ctx.client({ server, token: token!, tokenFrom: 'config' });
        try {
          await client.request(VerifyTokenQuery, {});
        } catch (error) {
          if (error instanceof KipperClientError && error.code === 'UNAUTHENTICATED') {
            throw new CliError(`The API token was refused by ${server}. Nothing was saved.`, 1, 'UNAUTHENTICATED');
          }
          throw error;
        }
      }
      const path = await writeConfig(ctx.io.env, { server, token: token! });
      ctx.out.success(`Logged in to ${server}`);
      if (created) ctx.out.line(`Created the personal token "${created}" (kip token list; kip token revoke "${created}")`);
      ctx.out.line(`Saved to ${path}`);
      if (ctx.io.env.KIPPER_SERVER || ctx.io.env.KIPPER_TOKEN) {
        ctx.out.warn('KIPPER_SERVER / KIPPER_TOKEN are set and take precedence over the saved login.');
      }
      ctx.out.result({ server, configPath: path, verified: opts.verify || created !== undefined, ...(created ? { tokenName: created } : {}) });
    }),
  );
}
