import { now } from '../types.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

/**
 * Sets a condition the way controllers do: lastTransitionTime moves only when status flips,
 * lastUpdateTime whenever reason or message change.
 */
export function setCondition(conditions: Condition[], next: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>, withUpdateTime = true): Condition[] {
  const time = now();
  const existing = conditions.find((c) => c.type === next.type);
  const others = conditions.filter((c) => c.type !== next.type);
  if (existing && existing.status === next.status && existing.reason === next.reason && existing.message === next.message)
    return conditions;
  const condition: Condition = {
    ...next,
    ...(withUpdateTime ? { lastUpdateTime: time } : {}),
    lastTransitionTime: existing && existing.status === next.status ? (existing.lastTransitionTime ?? time) : time,
  };
  return [...others, condition];
}
