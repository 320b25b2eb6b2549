import type { Project } from '@kipper/client';

export function environmentsInOrder(project: Project): Project['environments'] {
  return [...project.environments].sort((a, b) => a.position - b.position);
}

/** `test → acc → prod`. */
export function pipeline(project: Project): string {
  return environmentsInOrder(project)
    .map((e) => e.name)
    .join(' → ');
}

/** A project as `--output json` prints it. */
export function projectJson(project: Project) {
  return {
    name: project.name,
    displayName: project.displayName,
    createdAt: project.createdAt,
    environments: environmentsInOrder(project).map((e) => ({ name: e.name, namespace: e.namespace, position: e.position })),
  };
}
