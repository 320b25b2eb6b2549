import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { isProjectRole, type ProjectRole } from '../access/principal.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { Project } from '../projects/project.entity.js';
import { ProjectMember } from './project-member.entity.js';
import type { User } from './user.entity.js';

/** Who holds which role in a project. Authorisation of the calls is the caller's (AccessService). */
export class MemberService {
  constructor(private readonly deps: { dataSource: DataSource; audit: AuditService }) {}

  private get repo() {
    return this.deps.dataSource.getRepository(ProjectMember);
  }

  async list(project: Project): Promise<ProjectMember[]> {
    return this.repo.find({ where: { projectId: project.id }, relations: { user: true }, order: { createdAt: 'ASC' } });
  }

  async roleOf(userId: string, projectId: string): Promise<ProjectRole | null> {
    const row = await this.repo.findOne({ where: { userId, projectId }, select: { role: true } });
    return row?.role ?? null;
  }

  /** The projects a person is a member of. */
  async projectIdsOf(userId: string): Promise<Map<string, ProjectRole>> {
    const rows = await this.repo.find({ where: { userId }, select: { projectId: true, role: true } });
    return new Map(rows.map((r) => [r.projectId, r.role]));
  }

  /** Adds the person, or changes their role when they are a member already. */
  async add(project: Project, user: User, role: ProjectRole, actor: string): Promise<ProjectMember> {
    if (!isProjectRole(role)) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'The role is viewer, deployer or admin', { field: 'role' });
    if (user.disabledAt) throw new KipperError(ErrorCode.VALIDATION_FAILED, `User ${user.name} is disabled`, { field: 'user' });
    return this.deps.dataSource.transaction(async (manager) => {
      const before = await manager.findOneBy(ProjectMember, { projectId: project.id, userId: user.id });
      await manager.upsert(ProjectMember, { projectId: project.id, userId: user.id, role }, ['projectId', 'userId']);
      const member = (await manager.findOne(ProjectMember, { where: { projectId: project.id, userId: user.id }, relations: { user: true } }))!;
      await this.deps.audit.record(actor, 'member.add', project.name, { user: user.name, role, before: before?.role ?? null }, manager);
      return member;
    });
  }

  /** MEMBER_NOT_FOUND when the person is not a member. */
  async remove(project: Project, user: User, actor: string): Promise<ProjectMember> {
    return this.deps.dataSource.transaction(async (manager) => {
      const member = await manager.findOne(ProjectMember, { where: { projectId: project.id, userId: user.id }, relations: { user: true } });
      if (!member) throw new KipperError(ErrorCode.MEMBER_NOT_FOUND, `${user.name} is not a member of ${project.name}`);
      await manager.delete(ProjectMember, { id: member.id });
      await this.deps.audit.record(actor, 'member.remove', project.name, { user: user.name, before: member.role }, manager);
      return member;
    });
  }
}
