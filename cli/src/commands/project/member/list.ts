import { ProjectMembersQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { relativeTime, table } from '../../../format.js';
import { withOutput } from '../../../options.js';
import { memberJson } from './member-json.js';

/** `kip project member list PROJECT`: USER  DISPLAY NAME  ROLE  SINCE. Instance admins are admin everywhere without a row. */
export function memberListCommand(member: Command, state: RunState): Command {
  return withOutput(member.command('list').description('list the members of a project and their roles').argument('<project>', 'the project')).action(
    action(state, async (ctx, project: string) => {
      const client = await ctx.client();
      const { projectMembers } = await client.request(ProjectMembersQuery, { project });
      if (projectMembers.length === 0) ctx.out.line(`No members in ${project} yet (instance admins are admin everywhere). Add one with \`kip project member add ${project} USER --role viewer\`.`);
      else for (const line of table(['USER', 'DISPLAY NAME', 'ROLE', 'SINCE'], projectMembers.map((m) => [m.user, m.displayName ?? '', m.role.toLowerCase(), relativeTime(m.createdAt, ctx.now())]))) ctx.out.line(line);
      ctx.out.result({ project, members: projectMembers.map(memberJson) });
    }),
  );
}
