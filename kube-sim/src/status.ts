export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Expired'
  | 'Timeout'
  | 'InternalError';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** The error shape every Kubernetes client decodes: a `Status` object with the HTTP code mirrored in `code`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: StatusReason, message: string, details: StatusDetails = {}) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

interface Target {
  group: string;
  kind: string;
  plural: string;
}

const resourceLabel = (t: Target) => (t.group ? `${t.plural}.${t.group}` : t.plural);

export const notFound = (t: Target, name: string) =>
  new ApiError(404, 'NotFound', `${resourceLabel(t)} "${name}" not found`, { name, group: t.group, kind: t.plural });

export const alreadyExists = (t: Target, name: string) =>
  new ApiError(409, 'AlreadyExists', `${resourceLabel(t)} "${name}" already exists`, {
    name,
    group: t.group,
    kind: t.plural,
  });

export const conflict = (t: Target, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resourceLabel(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: t.group, kind: t.plural },
  );

export function invalid(t: Target, name: string, causes: { field: string; message: string }[]) {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(422, 'Invalid', `${t.kind} "${name}" is invalid: ${text}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
