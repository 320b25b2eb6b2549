import DataLoader from 'dataloader';
import { App, Build, Environment, FeedbackConnection, Project, Revision, Webhook, type KipperServices } from '@kipper/core';
import { In, type DataSource, type EntityTarget, type FindOptionsOrder, type ObjectLiteral } from 'typeorm';

/**
 * Per-request batching: whatever a page of history or a project tree asks for by id (apps,
 * environments, builds …) or by parent (a project's environments, an environment's apps) is
 * loaded with one statement per kind and level, not one per row.
 */
export interface Loaders {
  app: DataLoader<string, App | null>;
  project: DataLoader<string, Project | null>;
  environment: DataLoader<string, Environment | null>;
  revision: DataLoader<string, Revision | null>;
  build: DataLoader<string, Build | null>;
  /** A project's environments, in pipeline order. */
  environmentsOf: DataLoader<string, Environment[]>;
  /** An environment's apps, by name. */
  appsIn: DataLoader<string, App[]>;
  /** An app's webhook row (null when it never had one), by app id. */
  webhookOf: DataLoader<string, Webhook | null>;
  /** An app's GitHub / GitLab connections, by app id. */
  feedbackOf: DataLoader<string, FeedbackConnection[]>;
}

function byId<T extends ObjectLiteral & { id: string }>(ds: DataSource, entity: EntityTarget<T>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await ds.getRepository(entity).findBy({ id: In([...ids]) } as never);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

function byParent<T extends ObjectLiteral>(
  ds: DataSource,
  entity: EntityTarget<T>,
  parent: keyof T & string,
  order: FindOptionsOrder<T>,
): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await ds.getRepository(entity).find({ where: { [parent]: In([...parentIds]) } as never, order });
    const groups = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) groups.get(row[parent] as string)?.push(row);
    return parentIds.map((id) => groups.get(id) ?? []);
  });
}

function byUniqueKey<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>, key: keyof T & string): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const rows = await ds.getRepository(entity).findBy({ [key]: In([...keys]) } as never);
    const found = new Map(rows.map((row) => [row[key] as string, row]));
    return keys.map((k) => found.get(k) ?? null);
  });
}

export function createLoaders(services: Pick<KipperServices, 'dataSource'>): Loaders {
  const ds = services.dataSource;
  return {
    app: byId(ds, App),
    project: byId(ds, Project),
    environment: byId(ds, Environment),
    revision: byId(ds, Revision),
    build: byId(ds, Build),
    environmentsOf: byParent(ds, Environment, 'projectId', { position: 'ASC' }),
    appsIn: byParent(ds, App, 'environmentId', { name: 'ASC' }),
    webhookOf: byUniqueKey(ds, Webhook, 'appId'),
    feedbackOf: byParent(ds, FeedbackConnection, 'appId', { provider: 'ASC' }),
  };
}
