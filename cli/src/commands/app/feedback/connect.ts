import { ConnectFeedbackMutation, FeedbackQuery, type FeedbackConnectionView } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appNotFound, UsageError } from '../../../errors.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

export type Provider = 'GITHUB' | 'GITLAB';

export const PROVIDER_NAME: Readonly<Record<Provider, string>> = { GITHUB: 'GitHub', GITLAB: 'GitLab' };

/** `NAME` or `NAME:KEY` (key `token` by default). */
export function parseSecretRef(value: string): { name: string; key: string | null } {
  const [name = '', key, ...rest] = value.split(':');
  if (!name || rest.length > 0 || key === '') throw new UsageError(`--token-from-secret takes NAME or NAME:KEY, got "${value}".`);
  return { name, key: key ?? null };
}

interface ConnectOptions extends AppRefOptions {
  tokenFromSecret: string;
  apiUrl?: string;
}

/**
 * `kip app feedback github|gitlab APP …`: the two differ only in the provider, the repository
 * option's name and what they call it.
 */
export function connectCommand(
  feedback: Command,
  state: RunState,
  spec: { provider: Provider; command: string; repoFlag: string; repoHelp: string; defaultApi: string },
): Command {
  const name = PROVIDER_NAME[spec.provider];
  return withAppRef(
    withOutput(
      feedback
        .command(spec.command)
        .description(`report deploys to ${name}: statuses, deployments`)
        .argument('<app>', 'app name')
        .requiredOption(`--${spec.repoFlag} <${spec.repoFlag}>`, spec.repoHelp)
        .requiredOption('--token-from-secret <name[:key]>', `Secret in the app's namespace holding the ${name} token (key: token)`)
        .option('--api-url <url>', `${name} REST API (default ${spec.defaultApi})`),
    ),
  ).action(
    action(state, async (ctx, appName: string, opts: ConnectOptions) => {
      const ref = appRef(appName, opts);
      const tokenSecret = parseSecretRef(opts.tokenFromSecret);
      const repository = (opts as unknown as Record<string, string>)[spec.repoFlag]!;
      const client = await ctx.client();
      const app = (await client.request(FeedbackQuery, { app: ref, reports: 1 })).app;
      if (!app) throw appNotFound(appName, opts);
      const replaced = app.feedback.some((c) => c.provider === spec.provider);
      const connection: FeedbackConnectionView = (
        await client.request(ConnectFeedbackMutation, { app: ref, input: { provider: spec.provider, repository, apiUrl: opts.apiUrl ?? null, tokenSecret } })
      ).connectFeedback;
      ctx.out.success(`${appName} reports to ${name} ${connection.repository}${replaced ? ' (connection replaced)' : ''}`);
      ctx.out.line(`Every revision with a commit: commit status kipper/${app.environment.name} and a deployment in environment ${app.environment.name}.`);
      ctx.out.line(`API: ${connection.apiUrl}`);
      ctx.out.line(`Token: Secret ${connection.tokenSecret.name} (key ${connection.tokenSecret.key}) in ${app.namespace}`);
      ctx.out.result({ app: appName, namespace: app.namespace, environment: app.environment.name, replaced, ...connection });
    }),
  );
}
