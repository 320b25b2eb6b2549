import type { ResultOf, TokensQuery } from '@kipper/client';

export type TokenRow = ResultOf<typeof TokensQuery>['tokens'][number];

export function scopeOf(token: TokenRow): string {
  return token.project ? `${token.project}${token.environment ? `/${token.environment}` : ''}` : '(personal)';
}

/** Never the value: the api does not have it. */
export function tokenJson(token: TokenRow): Record<string, unknown> {
  return {
    name: token.name,
    owner: token.owner,
    project: token.project,
    environment: token.environment,
    role: token.role ? token.role.toLowerCase() : null,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
  };
}
