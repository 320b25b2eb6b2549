import type { ResultOf } from '@kipper/client';
import type { UsersQuery } from '@kipper/client';

export type UserRow = ResultOf<typeof UsersQuery>['users'][number];

export function userJson(user: UserRow): Record<string, unknown> {
  return { name: user.name, displayName: user.displayName, admin: user.admin, hasPassword: user.hasPassword, disabledAt: user.disabledAt, createdAt: user.createdAt };
}
