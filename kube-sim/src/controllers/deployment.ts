import { recordEvent } from '../events.js';
import { randomSuffix, templateHash } from '../names.js';
import { resourceByKind } from '../resources.js';
import type { Change } from '../store.js';
import { clone, isObject, type JsonObject, type KubeObject } from '../types.js';
import { setCondition, type Condition } from './conditions.js';
import { safely, type ControllerContext } from './context.js';
import { faultsOf, initialPodState } from './faults.js';
import { containersOf, isPodReady, ownerRef, podFor } from './pods.js';
import { rollingLimits, type RollingSpec } from './rolling.js';

const DEPLOYMENTS = resourceByKind('Deployment');
const REPLICASETS = resourceByKind('ReplicaSet');
const PODS = resourceByKind('Pod');
const COMPONENT = 'deployment-controller';
const REVISION = 'deployment.kubernetes.io/revision';

interface Rollout {
  generation: number;
  rsName: string;
  lastProgress: number;
  /** Reached NewReplicaSetAvailable: later pod failures change availability, never Progressing. */
  completed: boolean;
  stop?: () => void;
}

interface DeploymentSpec extends RollingSpec {
  paused?: boolean;
  progressDeadlineSeconds: number;
  selector: { matchLabels?: Record<string, string> };
  template: JsonObject & { metadata?: { labels?: Record<string, string> } };
}

const specOf = (d: KubeObject) => d.spec as unknown as DeploymentSpec;
const replicasOf = (o: KubeObject) => Number((o.spec as { replicas?: number } | undefined)?.replicas ?? 0);
const maxUnavailable = (spec: DeploymentSpec) => rollingLimits(spec).maxUnavailable;
const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
const controllerOf = (o: KubeObject, kind: string) => o.metadata.ownerReferences?.find((ref) => ref.kind === kind && ref.controller);

/** Omits zero counts, as the API server's JSON does (the Go fields are omitempty). */
function counts(values: Record<string, number>): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
}

/**
 * A rolling update in slow motion: one pod created (and one old pod removed) per step, with the
 * status fields and conditions kubectl rollout status and Kipper read.
 */
export class DeploymentController {
  private readonly rollouts = new Map<string, Rollout>();

  constructor(private readonly ctx: ControllerContext) {}

  /** Work is deferred so that watchers see the triggering change before the controller's reaction. */
  onChange(change: Change): void {
    if (change.resource === PODS && change.type === 'MODIFIED') {
      this.onPodStatus(change.object);
      return;
    }
    if (change.resource !== DEPLOYMENTS) return;
    const uid = change.object.metadata.uid!;
    if (change.type === 'DELETED') {
      this.rollouts.get(uid)?.stop?.();
      this.rollouts.delete(uid);
      return;
    }
    const { namespace, name } = change.object.metadata;
    queueMicrotask(safely(() => this.reconcile(namespace!, name!)));
  }

  /**
   * A pod of one of our ReplicaSets changed (kubelet reported readiness, a crash...): its ReplicaSet
   * and Deployment counts follow, as the ReplicaSet and deployment controllers make them.
   */
  private onPodStatus(pod: KubeObject) {
    const rsRef = controllerOf(pod, 'ReplicaSet');
    if (!rsRef) return;
    const namespace = pod.metadata.namespace!;
    queueMicrotask(
      safely(() => {
        const rs = this.ctx.objects.find(REPLICASETS, namespace, rsRef.name);
        if (!rs || rs.metadata.uid !== rsRef.uid) return;
        this.writeReplicaSetStatus(rs);
        const dRef = controllerOf(rs, 'Deployment');
        const d = dRef && this.ctx.objects.find(DEPLOYMENTS, namespace, dRef.name);
        const rollout = d && this.rollouts.get(d.metadata.uid!);
        if (d && rollout && d.metadata.uid === dRef.uid && !specOf(d).paused) this.writeStatus(d, rollout);
      }),
    );
  }

  private reconcile(namespace: string, name: string) {
    const d = this.ctx.objects.find(DEPLOYMENTS, namespace, name);
    if (!d) return;
    const uid = d.metadata.uid!;
    const generation = d.metadata.generation ?? 1;
    const current = this.rollouts.get(uid);
    if (current && current.generation === generation) return;
    current?.stop?.();

    const spec = specOf(d);
    const hash = templateHash(spec.template);
    const rsName = `${name}-${hash}`;
    const created = this.ensureReplicaSet(d, rsName, hash);
    const rollout: Rollout = { generation, rsName, lastProgress: Date.now(), completed: false };
    this.rollouts.set(uid, rollout);

    const status = clone(d.status ?? {});
    status.observedGeneration = generation;
    let conditions = (status.conditions as Condition[] | undefined) ?? [];
    if (spec.paused) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'Unknown',
        reason: 'DeploymentPaused',
        message: 'Deployment is paused',
      });
      this.ctx.objects.writeStatus(DEPLOYMENTS, { ...d, status: { ...status, conditions } });
      return;
    }
    // observedGeneration moves together with counts taken from the new ReplicaSet (0 updated at
    // first), as the real controller writes them: a client deciding like `kubectl rollout status`
    // must never see the new generation observed with the old ReplicaSet's counts.
    this.writeStatus(d, rollout, created);
    rollout.stop = this.ctx.scheduler.every(this.ctx.stepMs, () => this.step(uid, namespace, name));
  }

  /** Creates the ReplicaSet for the current template, or marks an existing one (a rollback) as newest. */
  private ensureReplicaSet(d: KubeObject, rsName: string, hash: string): boolean {
    const { objects } = this.ctx;
    const namespace = d.metadata.namespace!;
    const owned = this.ownedReplicaSets(d);
    const revision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1;
    const existing = owned.find((rs) => rs.metadata.name === rsName);
    const spec = specOf(d);
    if (existing) {
      if (Number(existing.metadata.annotations?.[REVISION]) !== revision - 1) {
        existing.metadata.annotations = { ...existing.metadata.annotations, [REVISION]: String(revision) };
        objects.update(REPLICASETS, namespace, rsName, existing);
      }
    } else {
      const template = clone(spec.template);
      const templateMeta = (template.metadata ??= {});
      templateMeta.labels = { ...templateMeta.labels, 'pod-template-hash': hash };
      objects.create(REPLICASETS, namespace, {
        metadata: {
          name: rsName,
          labels: templateMeta.labels,
          annotations: {
            [REVISION]: String(revision),
            'deployment.kubernetes.io/desired-replicas': String(spec.replicas),
            'deployment.kubernetes.io/max-replicas': String(spec.replicas + 1),
          },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas: 0,
          selector: { ...spec.selector, matchLabels: { ...spec.selector.matchLabels, 'pod-template-hash': hash } },
          template,
        },
      });
    }
    const finalRevision = existing ? Number(existing.metadata.annotations?.[REVISION]) : revision;
    if (d.metadata.annotations?.[REVISION] !== String(finalRevision)) {
      const fresh = objects.get(DEPLOYMENTS, namespace, d.metadata.name!);
      fresh.metadata.annotations = { ...fresh.metadata.annotations, [REVISION]: String(finalRevision) };
      objects.update(DEPLOYMENTS, namespace, d.metadata.name!, fresh);
    }
    return !existing;
  }

  private ownedReplicaSets(d: KubeObject): KubeObject[] {
    return this.ctx.objects.list(REPLICASETS, d.metadata.namespace, (rs) =>
      (rs.metadata.ownerReferences ?? []).some((ref) => ref.uid === d.metadata.uid),
    );
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.ctx.objects.list(PODS, rs.metadata.namespace, (p) =>
      (p.metadata.ownerReferences ?? []).some((ref) => ref.uid === rs.metadata.uid),
    );
  }

  private scale(d: KubeObject, rs: KubeObject, to: number) {
    const { objects } = this.ctx;
    const from = replicasOf(rs);
    const namespace = rs.metadata.namespace!;
    rs.spec = { ...rs.spec, replicas: to };
    objects.update(REPLICASETS, namespace, rs.metadata.name!, rs);
    // Ready pods first, so scaling down removes the broken ones before the serving ones.
    const pods = this.podsOf(rs).sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)));
    const state = initialPodState(faultsOf(containersOf(rs.spec.template), this.ctx));
    for (let i = pods.length; i < to; i++) {
      const pod = podFor(rs, rs.spec.template as JsonObject, `${rs.metadata.name}-${randomSuffix()}`, state);
      const created = objects.create(PODS, namespace, pod, { keepStatus: true });
      recordEvent(objects, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, 'replicaset-controller');
    }
    for (const pod of pods.slice(to).reverse()) {
      objects.delete(PODS, namespace, pod.metadata.name!);
      recordEvent(objects, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller');
    }
    this.writeReplicaSetStatus(rs);
    recordEvent(
      objects,
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
      COMPONENT,
    );
  }

  private writeReplicaSetStatus(rs: KubeObject) {
    const pods = this.podsOf(rs);
    const ready = pods.filter(isPodReady).length;
    this.ctx.objects.writeStatus(REPLICASETS, {
      ...rs,
      status: {
        replicas: pods.length,
        ...counts({ fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready }),
        observedGeneration: rs.metadata.generation,
      },
    });
  }

  private step(uid: string, namespace: string, name: string) {
    const d = this.ctx.objects.find(DEPLOYMENTS, namespace, name);
    const rollout = this.rollouts.get(uid);
    if (!d || d.metadata.uid !== uid || !rollout) {
      rollout?.stop?.();
      return;
    }
    const spec = specOf(d);
    const owned = this.ownedReplicaSets(d);
    const newRs = owned.find((rs) => rs.metadata.name === rollout.rsName);
    if (!newRs) return;
    const oldSets = owned.filter((rs) => rs !== newRs && replicasOf(rs) > 0);
    const newCount = replicasOf(newRs);
    const total = owned.reduce((n, rs) => n + replicasOf(rs), 0);

    // New pods only within maxSurge: with old pods still there, the next new pod waits until one
    // of them has gone, which itself waits for new pods to be ready (so slow pods roll one by one).
    if (newCount < spec.replicas && total < spec.replicas + rollingLimits(spec).maxSurge) {
      this.scale(d, newRs, newCount + 1);
      rollout.lastProgress = Date.now();
    } else if (newCount > spec.replicas) {
      this.scale(d, newRs, newCount - 1);
      rollout.lastProgress = Date.now();
    }
    // Old pods go only while enough pods stay available, which is what keeps a broken image from
    // taking the service down (maxUnavailable). Unready old pods (an earlier broken rollout) go
    // first, as the real controller cleans up unhealthy replicas before scaling down the oldest.
    const hasUnready = (rs: KubeObject) => this.podsOf(rs).some((p) => !isPodReady(p));
    const byAge = [...oldSets].sort((a, b) => revisionOf(a) - revisionOf(b));
    const victim = byAge.find(hasUnready) ?? byAge[0];
    if (victim) {
      const available = owned.flatMap((rs) => this.podsOf(rs)).filter(isPodReady).length;
      if (hasUnready(victim) || available - 1 >= spec.replicas - maxUnavailable(spec)) {
        this.scale(d, victim, replicasOf(victim) - 1);
        rollout.lastProgress = Date.now();
      }
    }
    this.writeStatus(d, rollout);
  }

  private writeStatus(d: KubeObject, rollout: Rollout, newReplicaSetCreated = false) {
    const spec = specOf(d);
    const owned = this.ownedReplicaSets(d);
    const pods = owned.flatMap((rs) => this.podsOf(rs));
    const newRs = owned.find((rs) => rs.metadata.name === rollout.rsName)!;
    const updated = this.podsOf(newRs).length;
    const total = owned.reduce((n, rs) => n + replicasOf(rs), 0);
    const available = pods.filter(isPodReady).length;
    const complete = updated === spec.replicas && total === spec.replicas && available === spec.replicas;
    const status = clone(d.status ?? {});
    // Pods becoming ready count as progress, as for the real controller's progress deadline.
    if (available > Number(status.availableReplicas ?? 0) || updated > Number(status.updatedReplicas ?? 0))
      rollout.lastProgress = Date.now();
    let conditions = (status.conditions as Condition[] | undefined) ?? [];
    const minAvailable = available >= spec.replicas - maxUnavailable(spec);
    conditions = setCondition(
      conditions,
      minAvailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    );
    const timedOut = !complete && Date.now() - rollout.lastProgress > spec.progressDeadlineSeconds * 1000;
    if (rollout.completed && total === updated) {
      // Like the real controller: a finished rollout is not re-judged when its pods fail later.
    } else if (complete) {
      rollout.completed = true;
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rollout.rsName}" has successfully progressed.`,
      });
    } else if (timedOut) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rollout.rsName}" has timed out progressing.`,
      });
    } else if (newReplicaSetCreated) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${rollout.rsName}"`,
      });
    } else {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${rollout.rsName}" is progressing.`,
      });
    }
    // Available first, then Progressing: the order a real deployment reports them in.
    conditions.sort((a, b) => (a.type === b.type ? 0 : a.type === 'Available' ? -1 : 1));
    const next: JsonObject = {
      observedGeneration: rollout.generation,
      ...counts({
        replicas: total,
        updatedReplicas: updated,
        readyReplicas: available,
        availableReplicas: available,
        unavailableReplicas: Math.max(0, total - available),
      }),
      conditions,
    };
    if (isObject(status) && status.collisionCount !== undefined) next.collisionCount = status.collisionCount;
    this.ctx.objects.writeStatus(DEPLOYMENTS, { ...d, status: next });
    if (complete || timedOut) {
      rollout.stop?.();
      rollout.stop = undefined;
    }
  }
}
