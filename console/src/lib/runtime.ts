import { kubeAge, type Pod } from '@kipper/client';

export { podStatus } from '@kipper/client';

/** kubectl's AGE (`—` when unknown). */
export const age = (since: string | null | undefined, now: number = Date.now()): string => kubeAge(since, now) ?? '—';

/** A pod that serves: ready. One that waits or crashes: a problem worth colour. */
export function podTone(pod: Pick<Pod, 'ready' | 'reason' | 'phase'>): 'ok' | 'warn' | 'bad' {
  if (pod.ready) return 'ok';
  if (pod.reason && /BackOff|Err|OOMKilled|Error|Invalid/.test(pod.reason)) return 'bad';
  return 'warn';
}
