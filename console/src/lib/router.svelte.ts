/** Hash routes: the api serves one static index.html, so the path never changes. */
export const appTabs = ['overview', 'deploys', 'logs', 'webhook', 'builds', 'settings'] as const;
export type AppTab = (typeof appTabs)[number];

export type Route =
  | { name: 'projects' }
  | { name: 'project'; project: string }
  | { name: 'app'; namespace: string; app: string; tab: AppTab }
  /** The audit log: of a project, or (project null) of the whole instance. */
  | { name: 'activity'; project: string | null }
  | { name: 'not-found'; path: string };

export function parse(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'projects')) return { name: 'projects' };
  if (parts[0] === 'projects' && parts.length === 2) return { name: 'project', project: parts[1]! };
  if (parts[0] === 'projects' && parts.length === 3 && parts[2] === 'activity') return { name: 'activity', project: parts[1]! };
  if (parts.length === 1 && parts[0] === 'activity') return { name: 'activity', project: null };
  if (parts[0] === 'apps' && (parts.length === 3 || parts.length === 4)) {
    const tab = (parts[3] ?? 'overview') as AppTab;
    if (appTabs.includes(tab)) return { name: 'app', namespace: parts[1]!, app: parts[2]!, tab };
  }
  return { name: 'not-found', path };
}

export const href = {
  projects: (): string => '#/projects',
  project: (name: string): string => `#/projects/${encodeURIComponent(name)}`,
  activity: (project?: string | null): string => (project ? `#/projects/${encodeURIComponent(project)}/activity` : '#/activity'),
  app: (namespace: string, app: string, tab: AppTab = 'overview'): string =>
    `#/apps/${encodeURIComponent(namespace)}/${encodeURIComponent(app)}${tab === 'overview' ? '' : `/${tab}`}`,
};

class Router {
  route = $state<Route>(parse(location.hash));

  constructor() {
    addEventListener('hashchange', () => {
      this.route = parse(location.hash);
    });
  }

  go(hash: string): void {
    location.hash = hash;
  }
}

export const router = new Router();
