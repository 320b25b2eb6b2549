import { RemoveProjectMemberMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { withOutput } from '../../../options.js';
import { memberJson } from './member-json.js';

/** `kip project member remove PROJECT USER` (project admins). */
export function memberRemoveCommand(member: Command, state: RunState): Command {
  return withOutput(member.command('remove').description('remove a person from a project (project admins)').argument('<project>', 'the project').argument('<user>', 'the person')).action(
    action(state, async (ctx, project: string, user: string) => {
      const client = await ctx.client();
      const { removeProjectMember } = await client.request(RemoveProjectMemberMutation, { project, user });
      ctx.out.success(`${removeProjectMember.user} is no longer a member of ${project}`);
      ctx.out.result({ project, ...memberJson(removeProjectMember) });
    }),
  );
}
