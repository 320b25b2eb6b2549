import { AddProjectMemberMutation } from '@kipper/client';
import { type Command, Option } from 'commander';
import { action, type RunState } from '../../../action.js';
import { withOutput } from '../../../options.js';
import { memberJson } from './member-json.js';

/** `kip project member add PROJECT USER --role viewer|deployer|admin` (project admins); again to change the role. */
export function memberAddCommand(member: Command, state: RunState): Command {
  return withOutput(
    member
      .command('add')
      .description('add a person to a project, or change their role (project admins)')
      .argument('<project>', 'the project')
      .argument('<user>', 'the person')
      .addOption(new Option('--role <role>', 'viewer reads, deployer deploys, admin manages').choices(['viewer', 'deployer', 'admin']).makeOptionMandatory()),
  ).action(
    action(state, async (ctx, project: string, user: string, opts: { role: 'viewer' | 'deployer' | 'admin' }) => {
      const client = await ctx.client();
      const { addProjectMember } = await client.request(AddProjectMemberMutation, { project, user, role: opts.role.toUpperCase() as 'VIEWER' | 'DEPLOYER' | 'ADMIN' });
      ctx.out.success(`${addProjectMember.user} is ${opts.role} of ${project}`);
      ctx.out.result({ project, ...memberJson(addProjectMember) });
    }),
  );
}
