import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { AuditService } from '../audit/audit.service.js';
import { ApiToken } from '../auth/api-token.entity.js';
import { dummyPasswordHash, hashPassword, PASSWORD_MAX, passwordProblem, verifyPassword } from './password.js';
import { Session } from './session.entity.js';
import { User } from './user.entity.js';

/** The bootstrap person: created at first start, instance admin; KIPPER_ADMIN_TOKEN acts as them. */
export const BOOTSTRAP_USER = 'admin';

/** Sign-in names: lowercase, so `Alice` and `alice` cannot be two people. */
const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const DISPLAY_NAME_MAX = 200;

export interface CreateUserInput {
  name: string;
  displayName?: string | null;
  password?: string | null;
  admin?: boolean;
}

function invalid(field: string, message: string): KipperError {
  return new KipperError(ErrorCode.VALIDATION_FAILED, message, { field });
}

export function userNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !USER_NAME.test(name)) {
    return 'A user name is 1 to 63 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';
  }
  return name.startsWith('token:') || name.startsWith('ci:') || name.startsWith('webhook:') || name === 'kipper' ? `"${name}" is reserved` : null;
}

/** People: creation, passwords, disabling. Transport-free; authorisation is the caller's (AccessService). */
export class UserService {
  constructor(private readonly deps: { dataSource: DataSource; audit: AuditService }) {}

  private get repo() {
    return this.deps.dataSource.getRepository(User);
  }

  async list(): Promise<User[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  async byId(id: string): Promise<User | null> {
    return this.repo.findOneBy({ id });
  }

  async byName(name: string): Promise<User | null> {
    return typeof name === 'string' ? this.repo.findOneBy({ name }) : null;
  }

  async byNameOrFail(name: string): Promise<User> {
    const user = await this.byName(name);
    if (!user) throw new KipperError(ErrorCode.USER_NOT_FOUND, `No user ${name} (kip user list shows them)`);
    return user;
  }

  async create(input: CreateUserInput, actor: string): Promise<User> {
    const nameProblem = userNameProblem(input.name);
    if (nameProblem) throw invalid('name', nameProblem);
    if (input.displayName && input.displayName.length > DISPLAY_NAME_MAX) throw invalid('displayName', `A display name has at most ${DISPLAY_NAME_MAX} characters`);
    if (input.password !== undefined && input.password !== null) {
      const problem = passwordProblem(input.password);
      if (problem) throw invalid('password', problem);
    }
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.deps.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kipper.user.${input.name}`]);
      if (await manager.existsBy(User, { name: input.name })) throw new KipperError(ErrorCode.USER_EXISTS, `User ${input.name} already exists`);
      const user = await manager.save(manager.create(User, { name: input.name, displayName: input.displayName || null, passwordHash, instanceAdmin: input.admin ?? false }));
      await this.deps.audit.record(actor, 'user.create', user.name, { admin: user.instanceAdmin, displayName: user.displayName }, manager);
      return user;
    });
  }

  /**
   * The person a name and password sign in, or null. An unknown name, a disabled person or one
   * without a password is checked against a dummy hash: every refusal costs one scrypt.
   */
  async verify(name: unknown, password: unknown): Promise<User | null> {
    const pass = typeof password === 'string' ? password.slice(0, PASSWORD_MAX) : '';
    const user = typeof name === 'string' && name.length <= 63 ? await this.repo.findOneBy({ name }) : null;
    const usable = user && !user.disabledAt && user.passwordHash ? user.passwordHash : null;
    const ok = await verifyPassword(pass, usable ?? (await dummyPasswordHash()));
    return ok && usable ? user : null;
  }

  /** Disables the person and ends their sessions and tokens at once. */
  async disable(name: string, actor: string): Promise<User> {
    const user = await this.byNameOrFail(name);
    if (user.name === actor) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'You cannot disable yourself');
    return this.deps.dataSource.transaction(async (manager) => {
      const now = new Date();
      await manager.update(User, { id: user.id }, { disabledAt: user.disabledAt ?? now });
      await manager.delete(Session, { userId: user.id });
      await manager.update(ApiToken, { userId: user.id, revokedAt: IsNull() }, { revokedAt: now });
      await this.deps.audit.record(actor, 'user.disable', user.name, {}, manager);
      return { ...user, disabledAt: user.disabledAt ?? now };
    });
  }

  /**
   * Sets a new password. `currentPassword` must be right unless `reset` (an instance admin setting
   * someone else's). Sessions of the person end, except none is kept: they sign in again.
   */
  async changePassword(user: User, newPassword: string, options: { currentPassword: string | null; reset: boolean; actor: string }): Promise<void> {
    if (!options.reset) {
      const ok = user.passwordHash !== null && (await verifyPassword(options.currentPassword ?? '', user.passwordHash));
      if (!ok) throw new KipperError(ErrorCode.UNAUTHENTICATED, 'The current password is wrong');
    }
    const problem = passwordProblem(newPassword);
    if (problem) throw invalid('password', problem);
    const passwordHash = await hashPassword(newPassword);
    await this.deps.dataSource.transaction(async (manager: EntityManager) => {
      await manager.update(User, { id: user.id }, { passwordHash });
      // A changed password ends every session: whoever knew the old one is signed out.
      await manager.delete(Session, { userId: user.id });
      await this.deps.audit.record(options.actor, 'user.passwd', user.name, { reset: options.reset }, manager);
    });
  }

  /** The bootstrap person, created when no person exists yet (several processes at once create one). */
  async ensureBootstrapUser(manager: EntityManager): Promise<User> {
    const existing = await manager.findOneBy(User, { name: BOOTSTRAP_USER });
    if (existing) return existing;
    return manager.save(manager.create(User, { name: BOOTSTRAP_USER, displayName: null, passwordHash: null, instanceAdmin: true }));
  }
}
