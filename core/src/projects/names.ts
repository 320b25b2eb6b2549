import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

/** RFC 1123 label, as Kubernetes namespaces need. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1035 label (starts with a letter), as Kubernetes Services need: app names. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export const NAMESPACE_MAX = 63;
/** Leaves room for `-webhook` and `-build-<n>` in the names of the app's Secret and Jobs. */
export const APP_NAME_MAX = 45;

/** A project or environment name, or a namespace: an RFC 1123 label of at most `max` characters. */
export function isDnsLabel(value: unknown, max = NAMESPACE_MAX): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && DNS_LABEL.test(value);
}

/** A name an app can have: an RFC 1035 label short enough for the names derived from it. */
export function isAppName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= APP_NAME_MAX && DNS_1035_LABEL.test(value);
}

export function namespaceOf(project: string, environment: string): string {
  return `${project}-${environment}`;
}

/** Namespaces Kubernetes itself uses: Kipper never takes them over. */
export const RESERVED_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
/** Every `kube-*` namespace is Kubernetes' (kube-system, kube-public, kube-node-lease and future ones). */
export const RESERVED_NAMESPACE_PREFIX = 'kube-';

export function isReservedNamespace(namespace: string): boolean {
  return RESERVED_NAMESPACES.has(namespace) || namespace.startsWith(RESERVED_NAMESPACE_PREFIX);
}

/** VALIDATION_FAILED when project + environment would name a namespace Kubernetes reserves. */
export function assertNamespaceAllowed(project: string, environment: string): void {
  const namespace = namespaceOf(project, environment);
  if (!isReservedNamespace(namespace)) return;
  const byProject = project === 'kube' || project.startsWith(RESERVED_NAMESPACE_PREFIX) || RESERVED_NAMESPACES.has(project);
  throw new KipperError(
    ErrorCode.VALIDATION_FAILED,
    `Namespace ${namespace} (project ${project}, environment ${environment}) is reserved by Kubernetes (default and kube-*): ` +
      `choose another ${byProject ? 'project' : 'project or environment'} name`,
    { field: byProject ? 'name' : 'environments' },
  );
}

export function assertDnsLabel(kind: string, value: unknown, max = NAMESPACE_MAX): asserts value is string {
  if (!isDnsLabel(value, max)) {
    throw new KipperError(
      ErrorCode.VALIDATION_FAILED,
      `${kind} ${JSON.stringify(value)} is not valid: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters`,
      { field: kind },
    );
  }
}
