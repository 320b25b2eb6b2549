import type { DataSource } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import type { AppService } from '../apps/app.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { Build } from '../builds/build.entity.js';
import type { BuildService } from '../builds/build.service.js';
import type { KipperConfig } from '../config/config.js';
import type { DeliveryService } from '../deliveries/delivery.service.js';
import type { EventPublisher, KipperPubSub } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import { Environment } from '../projects/environment.entity.js';
import { Project } from '../projects/project.entity.js';
import type { ProjectService } from '../projects/project.service.js';
import { Revision } from '../revisions/revision.entity.js';
import type { RevisionService } from '../revisions/revision.service.js';
import type { WebhookService } from '../webhooks/webhook.service.js';

/** The composition root's services, as resolvers see them. */
export interface KipperServices {
  config: KipperConfig;
  dataSource: DataSource;
  projects: ProjectService;
  apps: AppService;
  revisions: RevisionService;
  builds: BuildService;
  audit: AuditService;
  auth: AuthService;
  webhooks: WebhookService;
  deliveries: DeliveryService;
  events: EventPublisher;
  pubsub: KipperPubSub;
  queue: JobQueue;
}

/** Per-request caches so that a list of revisions does not load the same app twenty times. */
export interface Loaders {
  app(id: string): Promise<App | null>;
  project(id: string): Promise<Project | null>;
  environment(id: string): Promise<Environment | null>;
  revision(id: string): Promise<Revision | null>;
  build(id: string): Promise<Build | null>;
}

export interface KipperContext {
  /** Who is calling: the API token's name (`admin`). */
  actor: string;
  services: KipperServices;
  loaders: Loaders;
}

function memo<T>(load: (id: string) => Promise<T | null>): (id: string) => Promise<T | null> {
  const cache = new Map<string, Promise<T | null>>();
  return (id) => {
    let hit = cache.get(id);
    if (!hit) {
      hit = load(id);
      cache.set(id, hit);
    }
    return hit;
  };
}

export function createLoaders(services: KipperServices): Loaders {
  const ds = services.dataSource;
  return {
    app: memo((id) => services.apps.byId(id)),
    project: memo((id) => ds.getRepository(Project).findOneBy({ id })),
    environment: memo((id) => ds.getRepository(Environment).findOneBy({ id })),
    revision: memo((id) => ds.getRepository(Revision).findOneBy({ id })),
    build: memo((id) => services.builds.byId(id)),
  };
}

export function createContext(services: KipperServices, actor: string): KipperContext {
  return { actor, services, loaders: createLoaders(services) };
}
