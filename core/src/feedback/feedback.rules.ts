import { isIP } from 'node:net';
import { privateHostProblem } from '../apps/git-url.js';
import { FeedbackProvider } from './feedback-connection.entity.js';

/** Where each provider's REST API is when no URL is given. */
export const DEFAULT_FEEDBACK_API_URL: Readonly<Record<FeedbackProvider, string>> = {
  [FeedbackProvider.GITHUB]: 'https://api.github.com',
  [FeedbackProvider.GITLAB]: 'https://gitlab.com/api/v4',
};

/** The key of the token in its Secret when none is named (`--token-from-secret NAME`). */
export const DEFAULT_FEEDBACK_SECRET_KEY = 'token';

/** GitHub: `owner/repo` (owner: letters, digits, single hyphens; repo: letters, digits, `.`, `_`, `-`). */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
/** GitLab: `group/sub/project` (each part letters, digits, `.`, `_`, `-`), or the project's numeric id. */
const GITLAB_PATH_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?$/;
/** Kubernetes Secret names (DNS subdomains) and data keys. */
const SECRET_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Why a repository name does not fit the provider, or null. */
export function repositoryProblem(provider: FeedbackProvider, repository: string): string | null {
  if (provider === FeedbackProvider.GITHUB) {
    if (!GITHUB_REPOSITORY.test(repository) || /\/\.\.?$/.test(repository)) return `GitHub repository must be owner/name (e.g. acme/api), got "${repository}"`;
    return null;
  }
  if (/^[1-9][0-9]{0,18}$/.test(repository)) return null;
  const parts = repository.split('/');
  if (repository.length > 500 || parts.length < 2 || parts.some((p) => !GITLAB_PATH_PART.test(p) || p.endsWith('.git') || p.endsWith('.atom'))) {
    return `GitLab project must be its path, group/project or group/subgroup/project (e.g. acme/api), or its numeric id, got "${repository}"`;
  }
  return null;
}

/** Why a Secret reference is refused, or null. */
export function secretProblem(name: string, key: string): string | null {
  if (!SECRET_NAME.test(name)) return `token Secret name must be a Kubernetes name (lower-case letters, digits, "-", "."), got "${name}"`;
  if (!SECRET_KEY.test(key)) return `token Secret key may hold letters, digits, "-", "_" and "." only, got "${key}"`;
  return null;
}

/**
 * The API URL as stored (no trailing slash), or why it is refused: https only (plain http and
 * hosts on loopback, link-local or private addresses only with `allowPrivate`, i.e.
 * KIPPER_FEEDBACK_ALLOW_PRIVATE, for a GitHub Enterprise or GitLab inside the network), no
 * credentials (the token comes from its Secret), no query or fragment. Checked again by the
 * worker before every delivery (a name may resolve elsewhere later).
 */
export async function parseFeedbackApiUrl(raw: string, allowPrivate: boolean): Promise<{ ok: true; url: string } | { ok: false; problem: string }> {
  const refuse = (problem: string) => ({ ok: false as const, problem: `API URL ${problem}` });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivate)) {
    return refuse(`must start with https:// (plain http only with KIPPER_FEEDBACK_ALLOW_PRIVATE=true), got "${raw}"`);
  }
  if (url.username || url.password) return refuse('carries credentials: the token comes from its Secret');
  if (url.search || url.hash) return refuse('has a query or fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host || (isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host))) return refuse('has no valid host');
  const problem = await privateHostProblem(host, allowPrivate, 'KIPPER_FEEDBACK_ALLOW_PRIVATE');
  if (problem) return refuse(problem);
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** GitHub and GitLab cut descriptions (GitHub refuses more than 140 characters). */
export function shortDescription(text: string, max = 140): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
