import type { ClusterEvent, Pod } from '@kipper/client';
import { table } from './format.js';

/** kubectl's AGE: `45s`, `12m`, `3h`, `5d` (`-` when unknown). */
export function age(since: string | null | undefined, now: Date): string {
  if (!since) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** What kubectl's STATUS column says: the container's reason when it does not run, else the phase. */
export const podStatus = (pod: Pick<Pod, 'phase' | 'reason'>): string => pod.reason ?? pod.phase;

/** `kip app pods`: NAME READY STATUS RESTARTS AGE IMAGE NODE. */
export function podTable(pods: readonly Pod[], now: Date): string[] {
  return table(
    ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IMAGE', 'NODE'],
    pods.map((p) => [p.name, p.ready ? 'yes' : 'no', podStatus(p), String(p.restarts), age(p.startedAt ?? p.createdAt, now), p.image ?? '-', p.node ?? '-']),
  );
}

/** `kip app events`: LAST SEEN TYPE REASON OBJECT MESSAGE, as `kubectl get events`; repeats as `(x3)`. */
export function eventTable(events: readonly ClusterEvent[], now: Date): string[] {
  return table(
    ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    events.map((e) => [age(e.lastSeen, now), e.type, e.reason, `${e.kind.toLowerCase()}/${e.name}`, e.count > 1 ? `${e.message} (x${e.count})` : e.message]),
  );
}
