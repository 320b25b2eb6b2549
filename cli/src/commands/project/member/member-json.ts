import type { ProjectMembersQuery, ResultOf } from '@kipper/client';

export type MemberRow = ResultOf<typeof ProjectMembersQuery>['projectMembers'][number];

export function memberJson(member: MemberRow): Record<string, unknown> {
  return { user: member.user, displayName: member.displayName, role: member.role.toLowerCase(), since: member.createdAt };
}
