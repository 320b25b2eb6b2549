import { isProjectRole, type ProjectRole } from '../access/principal.js';

/** What an OpenID provider said about the person (ID token claims merged with userinfo). */
export interface ProviderClaims {
  sub: string;
  [claim: string]: unknown;
}

/** Roles a provider's role claim grants: `kipper:admin` and `kipper:PROJECT:ROLE` values. */
export interface ClaimedRoles {
  instanceAdmin: boolean;
  projects: Map<string, ProjectRole>;
}

export const ROLE_VALUE_PREFIX = 'kipper:';
export const INSTANCE_ADMIN_VALUE = 'kipper:admin';

/**
 * Reads the role claim: a string or a list of strings (Keycloak, Okta and Entra send groups as
 * a list). Values without the `kipper:` prefix are someone else's groups and are ignored; for a
 * project named twice the strongest role counts.
 */
export function claimedRoles(value: unknown): ClaimedRoles {
  const values = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const roles: ClaimedRoles = { instanceAdmin: false, projects: new Map() };
  const rank = { viewer: 1, deployer: 2, admin: 3 } as const;
  for (const raw of values) {
    const item = raw.trim();
    if (item === INSTANCE_ADMIN_VALUE) {
      roles.instanceAdmin = true;
      continue;
    }
    if (!item.startsWith(ROLE_VALUE_PREFIX)) continue;
    const [project, role, ...rest] = item.slice(ROLE_VALUE_PREFIX.length).split(':');
    if (!project || rest.length || !isProjectRole(role)) continue;
    const before = roles.projects.get(project);
    if (!before || rank[role] > rank[before]) roles.projects.set(project, role);
  }
  return roles;
}

/** A verified email address from the claims (lowercase), or null when absent or not verified. */
export function verifiedEmail(claims: ProviderClaims): string | null {
  const email = claims.email;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  if (!verified || typeof email !== 'string') return null;
  const trimmed = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(trimmed) && trimmed.length <= 254 ? trimmed : null;
}

/** A sign-in name for a new person: preferred_username, else the email's local part, else from the subject. */
export function baseUserName(claims: ProviderClaims, email: string | null): string {
  const candidates = [claims.preferred_username, email?.split('@')[0], `sso-${claims.sub}`];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const name = candidate
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 50)
      .replace(/[-._]+$/, '');
    if (name && !['kipper', 'admin'].includes(name)) return name;
  }
  return 'sso-user';
}
