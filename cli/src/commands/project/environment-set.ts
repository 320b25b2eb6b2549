import { ConfigureEnvironmentMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { UsageError } from '../../errors.js';
import { parseIntOption, withOutput } from '../../options.js';

interface EnvironmentSetOptions {
  approvals?: number;
  approvers?: string[];
  protected?: boolean;
  freeze?: string;
  unfreeze?: boolean;
}

/** `kip project environment set P ENV [--approvals N] [--approvers …] [--protected|--no-protected] [--freeze REASON|--unfreeze]` (project admins). */
export function environmentSetCommand(environment: Command, state: RunState): Command {
  return withOutput(
    environment
      .command('set')
      .description('approvals, approvers, protection and freezes of an environment (project admins)')
      .argument('<project>', 'the project')
      .argument('<environment>', 'the environment, e.g. prod')
      .option('--approvals <n>', 'approvals a deploy needs before it rolls out (0: none)', parseIntOption('--approvals', 0))
      .option('--approvers <rule...>', 'who may approve: role:admin, role:deployer, user:NAME (default role:admin)')
      .option('--protected', 'the console asks for the environment name to be typed before a promotion into it')
      .option('--no-protected', 'no typed confirmation')
      .option('--freeze <reason>', 'refuse every deploy, with this reason (a project admin may still roll back)')
      .option('--unfreeze', 'end the freeze'),
  ).action(
    action(state, async (ctx, project: string, name: string, opts: EnvironmentSetOptions) => {
      if (opts.freeze !== undefined && opts.unfreeze) throw new UsageError('Give either --freeze or --unfreeze, not both.');
      const input = {
        approvals: opts.approvals ?? null,
        approvers: opts.approvers ?? null,
        protected: opts.protected ?? null,
        freeze: opts.freeze ?? null,
        unfreeze: opts.unfreeze ?? null,
      };
      if (Object.values(input).every((v) => v === null)) {
        throw new UsageError('Nothing to change: give --approvals, --approvers, --protected/--no-protected, --freeze or --unfreeze.');
      }
      const client = await ctx.client();
      const env = (await client.request(ConfigureEnvironmentMutation, { project, environment: name, input })).configureEnvironment;
      ctx.out.success(`Environment ${env.name} of ${project} updated`);
      ctx.out.line(`Approvals: ${env.requiredApprovals === 0 ? 'none needed' : `${env.requiredApprovals} from ${env.approvers.join(', ')}`}`);
      ctx.out.line(`Protected: ${env.protected ? 'yes (promotions ask for the name to be typed)' : 'no'}`);
      ctx.out.line(`Frozen:    ${env.frozenReason ? `yes: ${env.frozenReason} (by ${env.frozenBy ?? '?'})` : 'no'}`);
      ctx.out.result({ project, environment: env.name, namespace: env.namespace, approvals: env.requiredApprovals, approvers: env.approvers, protected: env.protected, frozen: env.frozenReason ? { reason: env.frozenReason, by: env.frozenBy, at: env.frozenAt } : null });
    }),
  );
}
