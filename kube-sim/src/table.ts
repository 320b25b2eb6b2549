import type { ResourceType } from './resources.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

type Cell = string | number;
interface Column {
  name: string;
  type: 'string' | 'integer';
  priority?: number;
  cell: (o: KubeObject) => Cell;
}

/** kubectl sends `as=Table` first in Accept; honouring it gives kubectl get its usual columns. */
export function wantsTable(accept: string | undefined): boolean {
  return accept?.split(',')[0]?.includes('as=Table') ?? false;
}

/** The API server's short, two-unit age format ("45s", "3m20s", "2d4h"). */
export function age(timestamp: unknown): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const status = (o: KubeObject) => o.status ?? {};
const spec = (o: KubeObject) => o.spec ?? {};
const name: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name ?? '' };
const ageColumn: Column = { name: 'Age', type: 'string', cell: (o) => age(o.metadata.creationTimestamp) };

function podStatusText(o: KubeObject): string {
  const statuses = (status(o).containerStatuses ?? []) as { state?: JsonObject }[];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (isObject(waiting) && typeof waiting.reason === 'string') return waiting.reason;
    const terminated = s.state?.terminated;
    if (isObject(terminated) && typeof terminated.reason === 'string') return terminated.reason;
  }
  return String(status(o).phase ?? 'Pending');
}

function jobStatusText(o: KubeObject): string {
  const conditions = (status(o).conditions ?? []) as { type: string; status: string }[];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return 'Running';
}

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    name,
    { name: 'Ready', type: 'string', cell: (o) => `${num(status(o).readyReplicas)}/${num(spec(o).replicas)}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(status(o).updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => num(status(o).availableReplicas) },
    ageColumn,
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => num(spec(o).replicas) },
    { name: 'Current', type: 'integer', cell: (o) => num(status(o).replicas) },
    { name: 'Ready', type: 'integer', cell: (o) => num(status(o).readyReplicas) },
    ageColumn,
  ],
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => {
        const statuses = (status(o).containerStatuses ?? []) as { ready?: boolean }[];
        const total = Array.isArray(spec(o).containers) ? (spec(o).containers as unknown[]).length : 0;
        return `${statuses.filter((s) => s.ready).length}/${total}`;
      },
    },
    { name: 'Status', type: 'string', cell: podStatusText },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (o) => ((status(o).containerStatuses ?? []) as { restartCount?: number }[]).reduce((n, s) => n + num(s.restartCount), 0),
    },
    ageColumn,
  ],
  Job: [
    name,
    { name: 'Status', type: 'string', cell: jobStatusText },
    { name: 'Completions', type: 'string', cell: (o) => `${num(status(o).succeeded)}/${num(spec(o).completions) || 1}` },
    ageColumn,
  ],
  Namespace: [name, { name: 'Status', type: 'string', cell: (o) => String(status(o).phase ?? '') }, ageColumn],
  Service: [
    name,
    { name: 'Type', type: 'string', cell: (o) => String(spec(o).type ?? '') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => String(spec(o).clusterIP ?? '') },
    { name: 'External-IP', type: 'string', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (o) =>
        ((spec(o).ports ?? []) as { port?: number; protocol?: string }[])
          .map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    },
    ageColumn,
  ],
  Event: [
    { name: 'Last Seen', type: 'string', cell: (o) => age(o.lastTimestamp) },
    { name: 'Type', type: 'string', cell: (o) => String(o.type ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String(o.reason ?? '') },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => {
        const ref = isObject(o.involvedObject) ? o.involvedObject : {};
        return `${String(ref.kind ?? '').toLowerCase()}/${String(ref.name ?? '')}`;
      },
    },
    { name: 'Message', type: 'string', cell: (o) => String(o.message ?? '') },
  ],
};

export function asTable(resource: ResourceType, body: Record<string, unknown>) {
  const isList = Array.isArray(body.items);
  const items = (isList ? body.items : [body]) as KubeObject[];
  const columns = COLUMNS[resource.kind] ?? [name, ageColumn];
  const metadata = isList ? (body.metadata as JsonObject) : { resourceVersion: (body as KubeObject).metadata.resourceVersion };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.name === 'Name' ? 'name' : '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
