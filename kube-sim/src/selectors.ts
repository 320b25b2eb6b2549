import { badRequest } from './status.js';
import { isObject, type KubeObject } from './types.js';

type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: '=' | '!='; key: string; values: [string] };

export type Selector = (object: KubeObject) => boolean;

/** Splits on commas that are not inside `in (a,b)` value sets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseRequirement(part: string): Requirement {
  let m = /^!\s*([\w./-]+)$/.exec(part);
  if (m) return { op: 'notexists', key: m[1]! };
  m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim());
    return { op: m[2] as 'in' | 'notin', key: m[1]!, values };
  }
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
  if (m) return { op: m[2] === '!=' ? '!=' : '=', key: m[1]!, values: [m[3]!] };
  m = /^([\w./-]+)$/.exec(part);
  if (m) return { op: 'exists', key: m[1]! };
  throw badRequest(`unable to parse requirement: ${part}`);
}

function matches(req: Requirement, value: string | undefined): boolean {
  switch (req.op) {
    case 'exists':
      return value !== undefined;
    case 'notexists':
      return value === undefined;
    case 'in':
    case '=':
      return value !== undefined && req.values.includes(value);
    // Like the API server, != and notin also match objects that lack the key.
    case 'notin':
    case '!=':
      return value === undefined || !req.values.includes(value);
  }
}

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const reqs = splitTopLevel(text).map(parseRequirement);
  return (o) => reqs.every((req) => matches(req, o.metadata.labels?.[req.key]));
}

function fieldValue(object: KubeObject, path: string): string | undefined {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  if (current === undefined || current === null) return undefined;
  return typeof current === 'object' ? JSON.stringify(current) : String(current);
}

/** Field selectors compare any dotted path (metadata.name, involvedObject.kind, status.phase...). */
export function parseFieldSelector(text: string | null): Selector {
  if (!text) return () => true;
  const reqs = splitTopLevel(text).map((part) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    return { path: m[1]!, negate: m[2] === '!=', value: m[3]! };
  });
  return (o) =>
    reqs.every((req) => {
      const actual = fieldValue(o, req.path) ?? '';
      return req.negate ? actual !== req.value : actual === req.value;
    });
}

export function combine(...selectors: Selector[]): Selector {
  return (o) => selectors.every((s) => s(o));
}
