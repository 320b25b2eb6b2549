/**
 * Who is calling, once authenticated: a person (by session or personal token), a project token,
 * a CI identity (keyless webhook), or Kipper itself. Every authorisation decision and every audit
 * entry starts from one of these; transports build it, the domain reads it.
 */

/** Roles within a project, weakest first. */
export enum ProjectRole {
  VIEWER = 'viewer',
  DEPLOYER = 'deployer',
  ADMIN = 'admin',
}

const ROLE_RANK: Readonly<Record<ProjectRole, number>> = {
  [ProjectRole.VIEWER]: 1,
  [ProjectRole.DEPLOYER]: 2,
  [ProjectRole.ADMIN]: 3,
};

/** Does `held` allow what `needed` allows? */
export function roleAtLeast(held: ProjectRole, needed: ProjectRole): boolean {
  return ROLE_RANK[held] >= ROLE_RANK[needed];
}

/** The weaker of two roles (a token never grants more than its owner holds). */
export function weakerRole(a: ProjectRole, b: ProjectRole): ProjectRole {
  return ROLE_RANK[a] <= ROLE_RANK[b] ? a : b;
}

export function isProjectRole(value: unknown): value is ProjectRole {
  return typeof value === 'string' && Object.values(ProjectRole).includes(value as ProjectRole);
}

export enum ActorKind {
  PERSON = 'person',
  TOKEN = 'token',
  CI = 'ci',
  WEBHOOK = 'webhook',
  KIPPER = 'kipper',
}

/** What a credential is limited to: a project, optionally one of its environments, and a role. */
export interface PrincipalScope {
  projectId: string;
  environmentId: string | null;
  role: ProjectRole;
}

export interface Principal {
  kind: ActorKind;
  /**
   * The audit actor: a person's name; `token:NAME` for a project token; `ci:SUBJECT` for a
   * keyless CI identity; `webhook:SOURCE` for a webhook token; `kipper`.
   */
  actor: string;
  /** The person behind it: sessions, personal tokens, and the owner of a project token (whose role bounds the token's); else null. */
  userId: string | null;
  /** Instance admins manage people and projects and hold `admin` in every project. */
  instanceAdmin: boolean;
  /** The API token used, else null (sessions, CI, Kipper). */
  tokenId: string | null;
  /** Set when the credential is limited to one project (and maybe one environment). */
  scope: PrincipalScope | null;
}

/** Kipper acting on its own (the worker, the reconciler, automatic rollbacks). */
export const KIPPER_PRINCIPAL: Principal = Object.freeze({
  kind: ActorKind.KIPPER,
  actor: 'kipper',
  userId: null,
  instanceAdmin: false,
  tokenId: null,
  scope: null,
});

/** The kind of an audit actor from its text, for entries written before kinds were recorded. */
export function actorKindOf(actor: string): ActorKind {
  // `kipper:git-watch` and the like: Kipper acting on its own, through one of its parts.
  if (actor === 'kipper' || actor.startsWith('kipper:')) return ActorKind.KIPPER;
  if (actor.startsWith('token:')) return ActorKind.TOKEN;
  if (actor.startsWith('ci:')) return ActorKind.CI;
  if (actor.startsWith('webhook:')) return ActorKind.WEBHOOK;
  return ActorKind.PERSON;
}
