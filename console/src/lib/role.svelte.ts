import { MeQuery, ProjectMembersQuery, type ResultOf } from '@kipper/client';
import { request } from './client';
import { session } from './session.svelte';

export type ProjectRole = ResultOf<typeof ProjectMembersQuery>['projectMembers'][number]['role'];

/**
 * The caller's role in one project, so that pages show only the controls it may use (a viewer
 * sees no Rollback, Cancel or Unpin; the api refuses them anyway). Null until known, and for
 * someone who is not a member. An instance admin is an admin of every project; a project token
 * has the role it was issued with, within its own project only.
 */
class ProjectRoleLookup {
  #roles = $state<Record<string, ProjectRole | null>>({});
  #asked = new Set<string>();

  of(project: string): ProjectRole | null {
    // Keyed by who is signed in too: after signing in as someone else, roles are asked again.
    const key = `${session.user?.name ?? session.token ?? ''}|${project}`;
    if (!this.#asked.has(key)) {
      this.#asked.add(key);
      void this.#load(project, key);
    }
    return this.#roles[key] ?? null;
  }

  /** Whether the caller may deploy, roll back, cancel and unpin in the project. */
  canDeploy(project: string): boolean {
    const role = this.of(project);
    return role === 'DEPLOYER' || role === 'ADMIN';
  }

  async #load(project: string, key: string): Promise<void> {
    try {
      const { me } = await request(MeQuery, {});
      let role: ProjectRole | null;
      if (me.scope) role = me.scope.split('/')[0] === project ? (me.role ?? null) : null;
      else if (me.admin) role = 'ADMIN';
      else role = (await request(ProjectMembersQuery, { project })).projectMembers.find((m) => m.user === me.user?.name)?.role ?? null;
      this.#roles[key] = role;
    } catch {
      // Asked again at the next page that needs it.
      this.#asked.delete(key);
    }
  }
}

export const projectRoles = new ProjectRoleLookup();
