import { assertOpen, gateRulesOf } from '../approvals/environment-gate.js';
import type { Cluster } from '@kipper/kube';
import { In, type DataSource, type FindOptionsWhere } from 'typeorm';
import { appTarget, type AuditService } from '../audit/audit.service.js';
import type { KipperConfig } from '../config/config.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { Environment } from '../projects/environment.entity.js';
import { APP_NAME_MAX, isAppName } from '../projects/names.js';
import { isUniqueViolation, type ProjectService } from '../projects/project.service.js';
import { assertImageReference } from '../revisions/image-reference.js';
import { RevisionTrigger, type Revision } from '../revisions/revision.entity.js';
import type { RevisionService } from '../revisions/revision.service.js';
import { appWorkload } from './app.workload.js';
import { gitHostProblem, parseGitUrl, redactGitUrl } from './git-url.js';
import { App, AppSource, DeployPolicy, DriftPolicy, type EnvVar } from './app.entity.js';
import { assertEnvNames, assertEnvValue, assertHost, assertPort, assertReplicas, envFingerprint, envSecretName, invalidSetting, looksSecret, MAX_ENV_VARS, type EnvEntry } from './app-settings.js';

/** Names an app: namespace + name, or project [+ environment] + name, or name alone when unique. */
export interface AppRef {
  namespace?: string | null;
  project?: string | null;
  environment?: string | null;
  name: string;
}

export interface DeployAppInput {
  project?: string | null;
  environment?: string | null;
  namespace?: string | null;
  name: string;
  image?: string | null;
  gitUrl?: string | null;
  gitBranch?: string | null;
  dockerfilePath?: string | null;
  port: number;
  replicas?: number | null;
  env?: EnvVar[] | null;
  host?: string | null;
  deployPolicy?: DeployPolicy | null;
  autoRollback?: boolean | null;
  watchGit?: boolean | null;
  driftPolicy?: DriftPolicy | null;
}

export interface AppFilter {
  project?: string | null;
  environment?: string | null;
  name?: string | null;
}

const GIT_BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;
const invalid = invalidSetting;

export class AppService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: Cluster;
      config: Pick<KipperConfig, 'progressDeadlineSeconds' | 'gitProtocols' | 'gitAllowPrivate'>;
      projects: ProjectService;
      revisions: RevisionService;
      audit: AuditService;
    },
  ) {}

  private get repo() {
    return this.deps.dataSource.getRepository(App);
  }

  /**
   * APP_NOT_FOUND, or AMBIGUOUS_APP listing the namespaces when the name alone matches several.
   * With `visible` (the caller's projects), apps of other projects are treated as absent: the
   * same error, the same words, so nobody learns what exists in a project they cannot see.
   */
  async resolve(ref: AppRef, options: { visible?: string[] | 'all' } = {}): Promise<App> {
    const name = ref.name;
    if (!name) throw invalid('name', 'Give the name of the app');
    const visible = options.visible ?? 'all';
    const seen = (app: App | null): app is App => app !== null && (visible === 'all' || visible.includes(app.projectId));
    if (ref.namespace) {
      const app = await this.repo.findOneBy({ namespace: ref.namespace, name });
      if (!seen(app)) throw new KipperError(ErrorCode.APP_NOT_FOUND, `App ${name} does not exist in namespace ${ref.namespace}`);
      return app;
    }
    if (ref.project && ref.environment) {
      const env = await this.deps.projects.environment(ref.project, ref.environment);
      const app = await this.repo.findOneBy({ environmentId: env.id, name });
      if (!seen(app)) throw new KipperError(ErrorCode.APP_NOT_FOUND, `App ${name} does not exist in ${ref.project}/${ref.environment} (namespace ${env.namespace})`);
      return app;
    }
    const candidates = (await this.list({ project: ref.project ?? null, environment: ref.environment ?? null, name })).filter(seen);
    const where = ref.project ? ` in project ${ref.project}` : ref.environment ? ` in any ${ref.environment} environment` : '';
    if (candidates.length === 0) throw new KipperError(ErrorCode.APP_NOT_FOUND, `App ${name} does not exist${where}`);
    if (candidates.length > 1) {
      const namespaces = candidates.map((a) => a.namespace).sort();
      throw new KipperError(
        ErrorCode.AMBIGUOUS_APP,
        `App ${name} exists in several namespaces: ${namespaces.join(', ')}. Say which one with --project and --environment (or --namespace)`,
        { namespaces },
      );
    }
    return candidates[0]!;
  }

  /** Like resolve, but null when the app does not exist. */
  async find(ref: AppRef): Promise<App | null> {
    try {
      return await this.resolve(ref);
    } catch (err) {
      if (err instanceof KipperError && err.code === ErrorCode.APP_NOT_FOUND) return null;
      throw err;
    }
  }

  async byId(id: string): Promise<App | null> {
    return this.repo.findOneBy({ id });
  }

  async list(filter: AppFilter = {}): Promise<App[]> {
    const where: FindOptionsWhere<App> = {};
    if (filter.name) where.name = filter.name;
    if (filter.project) {
      const project = await this.deps.projects.getOrFail(filter.project);
      where.projectId = project.id;
      if (filter.environment) where.environmentId = (await this.deps.projects.environment(filter.project, filter.environment)).id;
    } else if (filter.environment) {
      const envs = await this.deps.dataSource.getRepository(Environment).findBy({ name: filter.environment });
      where.environmentId = In(envs.map((e) => e.id));
    }
    return this.repo.find({ where, order: { namespace: 'ASC', name: 'ASC' } });
  }

  async inEnvironment(environmentId: string): Promise<App[]> {
    return this.repo.find({ where: { environmentId }, order: { name: 'ASC' } });
  }

  /**
   * Creates an app and its first revision (trigger `manual`): image apps get their namespace and
   * workload ensured in the cluster now and the image queued; git apps get their namespace and
   * a queued build (the worker creates the workload once the first image exists).
   */
  async deploy(input: DeployAppInput, actor: string): Promise<{ app: App; revision: Revision }> {
    const env = await this.environmentFor(input);
    const { secretValues, ...fields } = this.validate({ ...input, namespace: env.namespace });
    if (fields.gitUrl) await this.assertGitHostAllowed(fields.gitUrl);
    // A frozen environment takes no new app either; one that requires approvals gets no workload
    // before its first revision is approved (the worker's rollout creates it then).
    assertOpen({ ...gateRulesOf(env), awaiting: false });
    const gated = env.requiredApprovals > 0;
    let app: App;
    try {
      app = await this.deps.dataSource.transaction(async (manager) => {
        if (await manager.existsBy(App, { namespace: env.namespace, name: input.name })) {
          throw new KipperError(ErrorCode.APP_EXISTS, `App ${input.name} already exists in ${env.namespace}: deploy a new image with kip app update ${input.name} --image IMAGE`);
        }
        const saved = await manager.save(manager.create(App, { ...fields, environmentId: env.id, projectId: env.projectId, namespace: env.namespace }));
        await this.deps.audit.record(actor, 'app.create', appTarget(saved), { source: saved.source, image: saved.image, gitUrl: saved.gitUrl, port: saved.port, replicas: saved.replicas }, manager);
        return saved;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KipperError(ErrorCode.APP_EXISTS, `App ${input.name} already exists in ${env.namespace}`);
      throw err;
    }
    try {
      await inCluster(() => this.deps.cluster.ensureNamespace(env.namespace));
      if (secretValues) await inCluster(() => this.deps.cluster.writeEnvSecret(env.namespace, app.name, app.envSecretName!, secretValues));
      if (app.source === AppSource.IMAGE && !gated) await inCluster(() => this.deps.cluster.ensureApp(appWorkload(app, app.image!, this.deps.config.progressDeadlineSeconds)));
    } catch (err) {
      // Nothing half-applied: without its workload the app row goes again. deleteApp removes only
      // objects labelled managed-by=kipper, so an object that made ensureApp refuse (someone
      // else's Deployment, Service or Ingress of the same name) stays where it is.
      await this.deps.dataSource.transaction(async (manager) => {
        await manager.delete(App, { id: app.id });
        await this.deps.audit.record(actor, 'app.delete', appTarget(app), { id: app.id, reason: 'its workload could not be created in the cluster' }, manager);
      });
      await inCluster(() => this.deps.cluster.deleteApp(app.namespace, app.name)).catch(() => undefined);
      throw err;
    }
    const revision =
      app.source === AppSource.IMAGE
        ? await this.deps.revisions.deployImage(app, { image: app.image!, trigger: RevisionTrigger.MANUAL, triggeredBy: actor })
        : await this.deps.revisions.requestBuild(app, { trigger: RevisionTrigger.MANUAL, triggeredBy: actor });
    return { app, revision };
  }

  /** Deletes the cluster objects (Deployment, Service, Ingress, webhook Secret, build Jobs), then the rows. */
  async delete(app: App, actor: string): Promise<void> {
    await inCluster(() => this.deps.cluster.deleteApp(app.namespace, app.name));
    await this.deps.dataSource.transaction(async (manager) => {
      await manager.delete(App, { id: app.id });
      await this.deps.audit.record(actor, 'app.delete', appTarget(app), { id: app.id }, manager);
    });
  }

  /** The environment a new app goes to (namespace, or project and environment, or the project's first). */
  async environmentFor(input: Pick<DeployAppInput, 'project' | 'environment' | 'namespace'>): Promise<Environment> {
    if (input.namespace) {
      const env = await this.deps.dataSource.getRepository(Environment).findOneBy({ namespace: input.namespace });
      if (!env) throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `No environment of any project uses namespace ${input.namespace}`);
      if (input.project || input.environment) {
        const named = input.project && input.environment ? await this.deps.projects.environment(input.project, input.environment) : undefined;
        if (named && named.id !== env.id) throw invalid('namespace', `Namespace ${input.namespace} is not ${input.project}/${input.environment}; give one or the other`);
      }
      return env;
    }
    if (!input.project) throw invalid('project', 'Say where the app goes: give project and environment (or namespace)');
    if (input.environment) return this.deps.projects.environment(input.project, input.environment);
    const project = await this.deps.projects.getOrFail(input.project);
    const [first] = await this.deps.projects.environments(project.id);
    if (!first) throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `Project ${input.project} has no environments`);
    return first;
  }

  /** Refuses git hosts inside Kipper's own network (checked again by the worker before it connects). */
  private async assertGitHostAllowed(gitUrl: string): Promise<void> {
    const parsed = parseGitUrl(gitUrl, this.deps.config.gitProtocols);
    const problem = parsed.ok ? await gitHostProblem(parsed.host, this.deps.config.gitAllowPrivate) : parsed.problem;
    if (problem) throw invalid('gitUrl', `Git URL ${JSON.stringify(redactGitUrl(gitUrl))} ${problem}`);
  }

  private validate(input: DeployAppInput & { namespace: string }): Partial<App> & { secretValues: Record<string, string> | null } {
    const name = input.name;
    if (!isAppName(name)) {
      throw invalid('name', `App name ${JSON.stringify(name)} is not valid: use lowercase letters, digits and '-', starting with a letter, at most ${APP_NAME_MAX} characters`);
    }
    const hasImage = input.image !== undefined && input.image !== null && input.image !== '';
    const hasGit = input.gitUrl !== undefined && input.gitUrl !== null && input.gitUrl !== '';
    if (hasImage === hasGit) throw invalid('image', 'Give exactly one source: an image (--image) or a git repository (--git)');
    if (hasImage) assertImageReference(input.image);
    let gitUrl: string | null = null;
    if (hasGit) {
      const parsed = parseGitUrl(input.gitUrl!, this.deps.config.gitProtocols);
      if (!parsed.ok) throw invalid('gitUrl', `Git URL ${JSON.stringify(redactGitUrl(input.gitUrl!))} ${parsed.problem}`);
      gitUrl = parsed.url;
      if (input.gitBranch && !GIT_BRANCH.test(input.gitBranch)) throw invalid('gitBranch', `Branch ${JSON.stringify(input.gitBranch)} is not a valid git branch name`);
      if (input.dockerfilePath && (input.dockerfilePath.startsWith('/') || input.dockerfilePath.split('/').includes('..') || input.dockerfilePath.length > 300)) {
        throw invalid('dockerfilePath', 'Dockerfile path must be relative to the repository and stay inside it');
      }
    } else if (input.gitBranch || input.dockerfilePath || input.watchGit) {
      throw invalid('gitBranch', 'gitBranch, dockerfilePath and watchGit belong to git apps (--git)');
    }
    assertPort(input.port);
    const replicas = input.replicas ?? 1;
    assertReplicas(replicas);
    const env = input.env ?? [];
    assertEnvNames(env.map((v) => v.name));
    for (const variable of env) assertEnvValue(variable.name, variable.value);
    if (env.length > MAX_ENV_VARS) throw invalid('env', `An app has at most ${MAX_ENV_VARS} environment variables`);
    if (input.host) assertHost(input.host);
    // Credentials by name go to the app's env Secret, never to PostgreSQL (see AppSettingsService).
    const label = `${input.namespace ?? ''}/${name}`;
    const secretValues: Record<string, string> = {};
    const entries: EnvEntry[] = env.map(({ name: n, value, secret }) => {
      if (secret !== true && !looksSecret(n)) return { name: n, value };
      secretValues[n] = value;
      return { name: n, secret: true, fingerprint: envFingerprint(label, n, value) };
    });
    const hasSecrets = Object.keys(secretValues).length > 0;
    return {
      name,
      source: hasImage ? AppSource.IMAGE : AppSource.GIT,
      image: hasImage ? input.image! : null,
      gitUrl,
      gitBranch: hasGit ? input.gitBranch || 'main' : null,
      dockerfilePath: hasGit ? input.dockerfilePath || 'Dockerfile' : null,
      port: input.port,
      replicas,
      env: entries,
      envSecretName: hasSecrets ? envSecretName(name, secretValues) : null,
      secretValues: hasSecrets ? secretValues : null,
      host: input.host || null,
      deployPolicy: input.deployPolicy ?? DeployPolicy.LATEST,
      autoRollback: input.autoRollback ?? true,
      watchGit: hasGit ? (input.watchGit ?? false) : false,
      driftPolicy: input.driftPolicy ?? DriftPolicy.REPAIR,
    };
  }
}

