import type { Cluster } from '@kipper/kube';
import { In, QueryFailedError, type DataSource } from 'typeorm';
import { AuditService, projectTarget } from '../audit/audit.service.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { App } from '../apps/app.entity.js';
import { Environment } from './environment.entity.js';
import { assertDnsLabel, assertNamespaceAllowed, NAMESPACE_MAX, namespaceOf } from './names.js';
import { Project } from './project.entity.js';

export interface CreateProjectInput {
  name: string;
  displayName?: string | null;
  /** Ordered promotion pipeline; default test, acc, prod. */
  environments?: string[] | null;
}

/** Each environment is a namespace and a promotion step: more is a mistake, not a pipeline. */
export const MAX_ENVIRONMENTS = 10;
export const DEFAULT_ENVIRONMENTS = ['test', 'acc', 'prod'];

export function isUniqueViolation(err: unknown): err is QueryFailedError & { driverError: { constraint?: string; detail?: string } } {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';
}

export class ProjectService {
  constructor(private readonly deps: { dataSource: DataSource; cluster: Cluster; audit: AuditService }) {}

  /** Validates everything before anything is written; creates the rows, then the namespaces. */
  async create(input: CreateProjectInput, actor: string): Promise<Project> {
    const name = input.name;
    assertDnsLabel('Project name', name);
    const environments = input.environments ?? DEFAULT_ENVIRONMENTS;
    if (environments.length === 0 || environments.length > MAX_ENVIRONMENTS) {
      throw new KipperError(
        ErrorCode.VALIDATION_FAILED,
        `A project has 1 to ${MAX_ENVIRONMENTS} environments (its promotion pipeline), got ${environments.length}; leave the list out for ${DEFAULT_ENVIRONMENTS.join(', ')}`,
        { field: 'environments' },
      );
    }
    const seen = new Set<string>();
    for (const env of environments) {
      assertDnsLabel('Environment name', env);
      if (seen.has(env)) throw new KipperError(ErrorCode.VALIDATION_FAILED, `Environment ${env} is listed twice`, { field: 'environments' });
      seen.add(env);
      assertNamespaceAllowed(name, env);
      const namespace = namespaceOf(name, env);
      if (namespace.length > NAMESPACE_MAX) {
        throw new KipperError(
          ErrorCode.VALIDATION_FAILED,
          `Namespace ${namespace} would be longer than ${NAMESPACE_MAX} characters: shorten the project or environment name`,
          { field: 'environments' },
        );
      }
    }
    const displayName = input.displayName?.trim() || name;
    if (displayName.length > 200) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'Display name is longer than 200 characters', { field: 'displayName' });

    let project: Project;
    try {
      project = await this.deps.dataSource.transaction(async (manager) => {
        if (await manager.existsBy(Project, { name })) throw new KipperError(ErrorCode.PROJECT_EXISTS, `Project ${name} already exists`);
        const namespaces = environments.map((env) => namespaceOf(name, env));
        const taken = await manager.find(Environment, { where: { namespace: In(namespaces) }, relations: { project: true } });
        if (taken.length > 0) {
          const clash = taken.map((e) => `${e.namespace} (project ${e.project.name}, environment ${e.name})`).join(', ');
          throw new KipperError(ErrorCode.CONFLICT, `Namespace ${clash} is already used by another project: choose another project or environment name`);
        }
        const saved = await manager.save(manager.create(Project, { name, displayName }));
        saved.environments = await manager.save(
          environments.map((env, position) => manager.create(Environment, { projectId: saved.id, name: env, position, namespace: namespaceOf(name, env) })),
        );
        await this.deps.audit.record(actor, 'project.create', name, { environments }, manager);
        return saved;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (/namespace/.test(err.driverError.detail ?? '')) {
        throw new KipperError(ErrorCode.CONFLICT, `A namespace of project ${name} is already used by another project (${err.driverError.detail ?? ''})`);
      }
      throw new KipperError(ErrorCode.PROJECT_EXISTS, `Project ${name} already exists`);
    }

    try {
      for (const env of project.environments) {
        await inCluster(() => this.deps.cluster.ensureNamespace(env.namespace, { 'kipper.dev/project': name, 'kipper.dev/environment': env.name }));
      }
    } catch (err) {
      // Nothing half-applied: the project goes again (namespaces already made are harmless
      // and are adopted by the next attempt).
      await this.deps.dataSource.getRepository(Project).delete({ id: project.id });
      throw err;
    }
    return project;
  }

  /**
   * Deletes the project: its apps' Kubernetes objects, then its namespaces (those Kipper manages:
   * everything in them goes), then its rows (environments, apps, revisions, members, channels).
   * The audit log keeps every entry about it (audit entries have no foreign keys) and one
   * `project.delete` naming what was removed.
   */
  async delete(project: Project, actor: string): Promise<void> {
    const environments = await this.environments(project.id);
    const apps = await this.deps.dataSource.getRepository(App).find({ where: { projectId: project.id }, order: { namespace: 'ASC', name: 'ASC' } });
    for (const app of apps) await inCluster(() => this.deps.cluster.deleteApp(app.namespace, app.name));
    for (const env of environments) await inCluster(() => this.deps.cluster.deleteNamespace(env.namespace));
    await this.deps.dataSource.transaction(async (manager) => {
      await manager.delete(Project, { id: project.id });
      await this.deps.audit.record(
        actor,
        'project.delete',
        projectTarget(project),
        { id: project.id, environments: environments.map((e) => e.name), namespaces: environments.map((e) => e.namespace), apps: apps.map((a) => `${a.namespace}/${a.name}`) },
        manager,
      );
    });
  }

  async list(): Promise<Project[]> {
    return this.deps.dataSource.getRepository(Project).find({ order: { name: 'ASC' } });
  }

  async get(name: string): Promise<Project | null> {
    return this.deps.dataSource.getRepository(Project).findOneBy({ name });
  }

  async getOrFail(name: string): Promise<Project> {
    const project = await this.get(name);
    if (!project) throw new KipperError(ErrorCode.PROJECT_NOT_FOUND, `Project ${name} does not exist`);
    return project;
  }

  async environments(projectId: string): Promise<Environment[]> {
    return this.deps.dataSource.getRepository(Environment).find({ where: { projectId }, order: { position: 'ASC' } });
  }

  async environment(projectName: string, environmentName: string): Promise<Environment> {
    const project = await this.getOrFail(projectName);
    const env = await this.deps.dataSource.getRepository(Environment).findOneBy({ projectId: project.id, name: environmentName });
    if (!env) {
      const names = (await this.environments(project.id)).map((e) => e.name).join(', ');
      throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `Project ${projectName} has no environment ${environmentName} (it has ${names})`);
    }
    return env;
  }

  /** The environment after this one in the pipeline, or null for the last. */
  async nextEnvironment(env: Environment): Promise<Environment | null> {
    return this.deps.dataSource.getRepository(Environment).findOneBy({ projectId: env.projectId, position: env.position + 1 });
  }
}
