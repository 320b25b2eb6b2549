import { KipperClientError, VerifyTokenQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../action.js';
import { normaliseServer, writeConfig } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { withOutput } from '../options.js';

interface LoginOptions {
  server: string;
  token: string;
  verify: boolean;
}

/** `kip login --server URL --token TOKEN`: checks the token, then saves both (file mode 0600). */
export function loginCommand(program: Command, state: RunState): Command {
  return withOutput(
    program
      .command('login')
      .description('save the Kipper server URL and API token')
      .requiredOption('--server <url>', 'Kipper server URL, e.g. https://console-api.example.com')
      .requiredOption('--token <token>', 'API token')
      .option('--no-verify', 'save without checking the token against the server'),
  ).action(
    action(state, async (ctx, opts: LoginOptions) => {
      const server = normaliseServer(opts.server);
      const token = opts.token.trim();
      if (!token) throw new UsageError('The token is empty.');
      if (opts.verify) {
        const client = await ctx.client({ server, token, tokenFrom: 'config' });
        try {
          await client.request(VerifyTokenQuery, {});
        } catch (error) {
          if (error instanceof KipperClientError && error.code === 'UNAUTHENTICATED') {
            throw new CliError(`The API token was refused by ${server}. Nothing was saved.`, 1, 'UNAUTHENTICATED');
          }
          throw error;
        }
      }
      const path = await writeConfig(ctx.io.env, { server, token });
      ctx.out.success(`Logged in to ${server}`);
      ctx.out.line(`Saved to ${path}`);
      if (ctx.io.env.KIPPER_SERVER || ctx.io.env.KIPPER_TOKEN) {
        ctx.out.warn('KIPPER_SERVER / KIPPER_TOKEN are set and take precedence over the saved login.');
      }
      ctx.out.result({ server, configPath: path, verified: opts.verify });
    }),
  );
}
