import type { DeployEventPayload, KipperServices } from '@kipper/core';
import { createLoaders, type Loaders } from '../graphql/loaders.js';

/**
 * One set of loaders per published event, shared by every subscription that receives it.
 *
 * The Redis event target parses each message once and hands the same payload object to every
 * subscriber of the channel, so keying on that object gives each event its own fresh caches
 * (`revision { status current }` is read as it is when the event arrives, not as it was at an
 * earlier one) while N subscribers of one app cost one read per kind, not N. The entry goes
 * away with the payload once every subscriber has been sent its result.
 */
const perEvent = new WeakMap<DeployEventPayload, Loaders>();

export function loadersForEvent(payload: DeployEventPayload, services: Pick<KipperServices, 'dataSource'>): Loaders {
  let loaders = perEvent.get(payload);
  if (!loaders) {
    loaders = createLoaders(services);
    perEvent.set(payload, loaders);
  }
  return loaders;
}
