import { type KipperServices, type App, type Build, Environment, Project, Revision } from '@kipper/core';

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
