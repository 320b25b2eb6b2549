/** The part of a Deployment spec that bounds a rolling update. */
export interface RollingSpec {
  replicas: number;
  strategy?: { rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
}

function resolve(value: number | string, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const scaled = (replicas * parseInt(value, 10)) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * maxSurge and maxUnavailable as the deployment controller resolves them (defaults 25%): the surge
 * rounds up, unavailability down, and when both come to 0 one pod may be unavailable.
 */
export function rollingLimits(spec: RollingSpec): { maxSurge: number; maxUnavailable: number } {
  const rolling = spec.strategy?.rollingUpdate;
  const maxSurge = resolve(rolling?.maxSurge ?? '25%', spec.replicas, true);
  const maxUnavailable = resolve(rolling?.maxUnavailable ?? '25%', spec.replicas, false);
  return { maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable };
}
