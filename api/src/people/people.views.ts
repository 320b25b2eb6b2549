import type { ApiToken, ProjectMember, User } from '@kipper/core';
import type { ApiTokenType, ProjectMemberType, UserType } from './people.types.js';

/** Entities → GraphQL shapes (no password hash, no token hash ever leaves these). */
export function userView(user: User): UserType {
  return { id: user.id, name: user.name, displayName: user.displayName, admin: user.instanceAdmin, hasPassword: user.passwordHash !== null, disabledAt: user.disabledAt, createdAt: user.createdAt };
}

export function tokenView(token: ApiToken): ApiTokenType {
  return {
    id: token.id,
    name: token.name,
    owner: token.user?.name ?? null,
    project: token.project?.name ?? null,
    environment: token.environment?.name ?? null,
    role: token.role,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
  };
}

export function memberView(member: ProjectMember): ProjectMemberType {
  return { user: member.user.name, displayName: member.user.displayName, role: member.role, createdAt: member.createdAt };
}
