import type { KipperServices, Principal } from '@kipper/core';
import { createLoaders, type Loaders } from './loaders.js';

export interface KipperContext {
  /** Who is calling (person, project token, Kipper); every resolver's access check starts here. */
  principal: Principal;
  /** The audit actor: `principal.actor` (a person's name, `token:NAME`, …), what the services take. */
  actor: string;
  services: KipperServices;
  loaders: Loaders;
}

export function createContext(services: KipperServices, principal: Principal): KipperContext {
  return { principal, actor: principal.actor, services, loaders: createLoaders(services) };
}
