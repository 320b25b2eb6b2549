import type { Pod } from '@kipper/client';

/** kubectl's AGE: `45s`, `12m`, `3h`, `5d`. */
export function age(since: string | null | undefined, now: number = Date.now()): string {
  if (!since) return '—';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** What kubectl's STATUS column says: why the container does not run, else the phase. */
export const podStatus = (pod: Pick<Pod, 'phase' | 'reason'>): string => pod.reason ?? pod.phase;

/** A pod that serves: ready. One that waits or crashes: a problem worth colour. */
export function podTone(pod: Pick<Pod, 'ready' | 'reason' | 'phase'>): 'ok' | 'warn' | 'bad' {
  if (pod.ready) return 'ok';
  if (pod.reason && /BackOff|Err|OOMKilled|Error|Invalid/.test(pod.reason)) return 'bad';
  return 'warn';
}
