export const NAME_LABEL = 'app.kubernetes.io/name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
/** On objects that belong to an app but must not match its Service selector (build pods, secrets). */
export const APP_LABEL = 'kipper.dev/app';
export const BUILD_JOB_LABEL = 'kipper.dev/build-job';
export const MANAGED_BY = 'kipper';

/** The selector of an app's Deployment and Service (immutable once created). */
export const selectorOf = (app: string) => ({ [NAME_LABEL]: app });

/** `key=value,...`, the labelSelector query form of equality-based labels. */
export const labelSelector = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

export const appLabels = (app: string, extra: Record<string, string> = {}) => ({
  ...extra,
  [NAME_LABEL]: app,
  [MANAGED_BY_LABEL]: MANAGED_BY,
});

/** True when the object carries `app.kubernetes.io/managed-by=kipper`: Kipper made it, Kipper may change or delete it. */
export const isManagedByKipper = (object: { metadata?: { labels?: Record<string, string> } } | null | undefined): boolean =>
  object?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
