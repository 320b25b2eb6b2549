import { kubeAge, podStatus, type ClusterEvent, type Pod } from '@kipper/client';
import { table } from './format.js';

/** kubectl's AGE (`-` when unknown). */
export const age = (since: string | null | undefined, now: Date): string => kubeAge(since, now.getTime()) ?? '-';

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
