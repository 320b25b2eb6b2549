import type { ProjectData } from '../../graphql/operations.js';

export function environmentsInOrder(project: ProjectData): ProjectData['environments'] {
  return [...project.environments].sort((a, b) => a.position - b.position);
}

/** `test → acc → prod`. */
export function pipeline(project: ProjectData): string {
  return environmentsInOrder(project)
    .map((e) => e.name)
    .join(' → ');
}

/** A project as `--output json` prints it. */
export function projectJson(project: ProjectData) {
  return {
    name: project.name,
    displayName: project.displayName,
    createdAt: project.createdAt,
    environments: environmentsInOrder(project).map((e) => ({ name: e.name, namespace: e.namespace, position: e.position })),
  };
}
