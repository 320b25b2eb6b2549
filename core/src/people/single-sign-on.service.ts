import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Project } from '../projects/project.entity.js';
import { OidcIdentity } from './oidc-identity.entity.js';
import { ProjectMember } from './project-member.entity.js';
import { baseUserName, claimedRoles, verifiedEmail, type ProviderClaims } from './single-sign-on.js';
import { BOOTSTRAP_USER, userNameProblem } from './user.service.js';
import { User } from './user.entity.js';

export interface SingleSignOnOptions {
  /** The claim whose `kipper:…` values give roles (KIPPER_OIDC_ROLE_CLAIM); null: roles are managed in Kipper only. */
  roleClaim: string | null;
}

/**
 * The person an OpenID provider vouched for: found by the provider account (issuer + subject),
 * else by the provider's verified email, else created (no password). The role claim, when
 * configured, then sets instance admin and raises project roles. The api starts the session.
 */
export class SingleSignOnService {
  constructor(private readonly deps: { dataSource: DataSource; audit: AuditService; options: SingleSignOnOptions }) {}

  /** UNAUTHENTICATED when the person is disabled. */
  async personFor(issuer: string, claims: ProviderClaims): Promise<User> {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) {
      throw new KipperError(ErrorCode.UNAUTHENTICATED, 'The provider did not say who you are (no subject)');
    }
    const email = verifiedEmail(claims);
    const user = await this.deps.dataSource.transaction(async (manager) => {
      // Two first sign-ins of one account at once must not create two people.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kipper.oidc.${issuer}.${claims.sub}`]);
      const person = await this.linkedOrNew(manager, issuer, claims, email);
      if (person.disabledAt) return person;
      return this.applyRoles(manager, person, claims);
    });
    if (user.disabledAt) throw new KipperError(ErrorCode.UNAUTHENTICATED, `${user.name} is disabled`);
    return user;
  }

  private async linkedOrNew(manager: EntityManager, issuer: string, claims: ProviderClaims, email: string | null): Promise<User> {
    const now = new Date();
    const link = await manager.findOne(OidcIdentity, { where: { issuer, subject: claims.sub }, relations: { user: true } });
    if (link) {
      await manager.update(OidcIdentity, { id: link.id }, { lastSignInAt: now, email });
      return link.user;
    }
    let user = email ? await manager.findOneBy(User, { email }) : null;
    if (!user) {
      const name = await this.freeName(manager, baseUserName(claims, email));
      const displayName = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : null;
      user = await manager.save(manager.create(User, { name, displayName, email, passwordHash: null, instanceAdmin: false }));
      await this.deps.audit.record(user.name, 'user.create', user.name, { via: 'oidc', issuer }, manager);
    }
    await manager.save(manager.create(OidcIdentity, { issuer, subject: claims.sub, userId: user.id, email, lastSignInAt: now }));
    // The subject is an opaque id of the provider: recorded as a digest, enough to tell links apart.
    await this.deps.audit.record(user.name, 'user.link', user.name, { issuer, subject: createHash('sha256').update(claims.sub).digest('hex').slice(0, 16), byEmail: email !== null && user.email === email }, manager);
    return user;
  }

  /** `name`, else `name-2`, `name-3`…: a provider's username never takes over someone else's name. */
  private async freeName(manager: EntityManager, base: string): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const name = n === 1 ? base : `${base.slice(0, 58)}-${n}`;
      if (userNameProblem(name)) continue;
      if (!(await manager.existsBy(User, { name }))) return name;
    }
    throw new KipperError(ErrorCode.CONFLICT, `No free name for ${base}`);
  }

  private async applyRoles(manager: EntityManager, user: User, claims: ProviderClaims): Promise<User> {
    const claim = this.deps.options.roleClaim;
    if (!claim) return user;
    const roles = claimedRoles(claims[claim]);
    // The bootstrap person keeps instance admin whatever a provider says.
    const instanceAdmin = user.name === BOOTSTRAP_USER ? true : roles.instanceAdmin;
    if (instanceAdmin !== user.instanceAdmin) {
      await manager.update(User, { id: user.id }, { instanceAdmin });
      await this.deps.audit.record(user.name, instanceAdmin ? 'user.admin.grant' : 'user.admin.revoke', user.name, { via: 'oidc', claim }, manager);
      user = { ...user, instanceAdmin };
    }
    for (const [projectName, role] of roles.projects) {
      const project = await manager.findOneBy(Project, { name: projectName });
      if (!project) continue;
      const before = await manager.findOneBy(ProjectMember, { projectId: project.id, userId: user.id });
      if (before?.role === role) continue;
      await manager.upsert(ProjectMember, { projectId: project.id, userId: user.id, role }, ['projectId', 'userId']);
      await this.deps.audit.record(user.name, 'member.add', project.name, { user: user.name, role, before: before?.role ?? null, via: 'oidc', claim }, manager);
    }
    return user;
  }
}
