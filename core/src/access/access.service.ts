import type { DataSource } from 'typeorm';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { MemberService } from '../people/member.service.js';
import { User } from '../people/user.entity.js';
import { ActorKind, ProjectRole, roleAtLeast, weakerRole, type Principal } from './principal.js';

export interface RequireOptions {
  /** What to throw when the project is invisible: the same error as for one that does not exist. */
  notFound?: () => KipperError;
  /** The environment acted in: a credential scoped to another environment may only read here. */
  environmentId?: string | null;
}

/**
 * Who may do what: every GraphQL field asks here (the api's access table lists which role each
 * needs). A project the caller cannot see is NOT_FOUND, exactly like one that does not exist;
 * FORBIDDEN names the role needed and the action.
 */
export class AccessService {
  constructor(private readonly deps: { dataSource: DataSource; members: MemberService }) {}

  /** The caller's role in the project, or null when they cannot see it. */
  async projectRole(principal: Principal, projectId: string): Promise<ProjectRole | null> {
    if (principal.kind === ActorKind.KIPPER) return ProjectRole.ADMIN;
    const scope = principal.scope;
    if (scope && scope.projectId !== projectId) return null;
    const own = await this.ownerRole(principal, projectId);
    if (!own) return null;
    return scope ? weakerRole(scope.role, own) : own;
  }

  /** The role of the person behind the credential (instance admins: admin everywhere). */
  private async ownerRole(principal: Principal, projectId: string): Promise<ProjectRole | null> {
    if (principal.instanceAdmin) return ProjectRole.ADMIN;
    if (!principal.userId) return null;
    if (principal.scope) {
      // A project token is not itself an instance admin; its owner may be.
      const owner = await this.deps.dataSource.getRepository(User).findOne({ where: { id: principal.userId }, select: { id: true, instanceAdmin: true, disabledAt: true } });
      if (!owner || owner.disabledAt) return null;
      if (owner.instanceAdmin) return ProjectRole.ADMIN;
    }
    return this.deps.members.roleOf(principal.userId, projectId);
  }

  /**
   * Throws unless the caller holds `role` in the project: NOT_FOUND (options.notFound, default
   * PROJECT_NOT_FOUND) when they cannot see it, FORBIDDEN naming the role and `what` otherwise.
   */
  async require(principal: Principal, projectId: string, role: ProjectRole, what: string, options: RequireOptions = {}): Promise<ProjectRole> {
    const held = await this.projectRole(principal, projectId);
    if (!held) throw options.notFound?.() ?? new KipperError(ErrorCode.PROJECT_NOT_FOUND, 'Project does not exist');
    if (!roleAtLeast(held, role)) {
      throw new KipperError(ErrorCode.FORBIDDEN, `${what} needs the ${role} role in the project; ${principal.actor} is ${held}`, { needed: role, held });
    }
    const env = principal.scope?.environmentId;
    if (env && options.environmentId && env !== options.environmentId && role !== ProjectRole.VIEWER) {
      throw new KipperError(ErrorCode.FORBIDDEN, `${what}: ${principal.actor} is limited to another environment of the project`, { needed: role, held });
    }
    return held;
  }

  /** The projects the caller can see ('all' for instance admins). */
  async visibleProjectIds(principal: Principal): Promise<string[] | 'all'> {
    if (principal.kind === ActorKind.KIPPER) return 'all';
    if (principal.scope) return (await this.projectRole(principal, principal.scope.projectId)) ? [principal.scope.projectId] : [];
    if (principal.instanceAdmin) return 'all';
    if (!principal.userId) return [];
    return [...(await this.deps.members.projectIdsOf(principal.userId)).keys()];
  }

  /** Instance-level actions (people, new projects): INSTANCE_ADMIN needed, FORBIDDEN otherwise. */
  requireInstanceAdmin(principal: Principal, what: string): void {
    if (principal.kind === ActorKind.KIPPER) return;
    if (!principal.instanceAdmin || principal.scope) throw new KipperError(ErrorCode.FORBIDDEN, `${what} needs an instance admin; ${principal.actor} is not one`, { needed: 'instance-admin' });
  }
}
