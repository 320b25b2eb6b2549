import type { KipperServices } from '@kipper/core';
import { createLoaders, type Loaders } from './loaders.js';

export interface KipperContext {
  /** Who is calling: the API token's name (`admin`). */
  actor: string;
  services: KipperServices;
  loaders: Loaders;
}

export function createContext(services: KipperServices, actor: string): KipperContext {
  return { actor, services, loaders: createLoaders(services) };
}
