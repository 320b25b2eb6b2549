import { DisconnectFeedbackMutation } from '@kipper/client';
import { Option, type Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';
import { PROVIDER_NAME, type Provider } from './connect.js';

/** `kip app feedback off APP --provider github|gitlab`: stop reporting there. */
export function feedbackOffCommand(feedback: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      feedback
        .command('off')
        .description('stop reporting to a provider')
        .argument('<app>', 'app name')
        .addOption(new Option('--provider <provider>', 'the provider to disconnect').choices(['github', 'gitlab']).makeOptionMandatory()),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { provider: 'github' | 'gitlab' }) => {
      const ref = appRef(name, opts);
      const provider = opts.provider.toUpperCase() as Provider;
      const client = await ctx.client();
      const removed = (await client.request(DisconnectFeedbackMutation, { app: ref, provider })).disconnectFeedback;
      ctx.out.success(`${name} no longer reports to ${PROVIDER_NAME[provider]} ${removed.repository}`);
      ctx.out.line(`The token Secret ${removed.tokenSecret.name} was left in place; delete it with kubectl when it is no longer needed.`);
      ctx.out.result({ app: name, disconnected: removed });
    }),
  );
}
