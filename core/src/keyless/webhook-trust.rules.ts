import { lookup } from 'node:dns/promises';
import { privateHostProblem } from '../apps/git-url.js';

/**
 * The rules of a keyless CI trust, pure except for the DNS lookup of the issuer's host: one
 * place for GraphQL, the CLI (through GraphQL) and the token check.
 */

/** The audience a trust expects when none is given: the CI asks its provider for a token "for kipper". */
export const DEFAULT_CI_AUDIENCE = 'kipper';
/** Trusts one app may hold. */
export const TRUSTS_PER_APP_MAX = 20;
export const CI_ISSUER_SETTING = 'KIPPER_CI_ISSUER_ALLOW_PRIVATE';

const MAX_ISSUER_LENGTH = 300;
const MAX_SUBJECT_LENGTH = 300;
const MAX_AUDIENCE_LENGTH = 200;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * The issuer as stored and compared with a token's `iss` (without a trailing slash), or why it
 * is refused: an https URL with a host and no credentials, query or fragment, whose host is not
 * (and does not resolve to) a loopback, link-local or private address: Kipper fetches the
 * issuer's discovery document and keys, so a trust must not point it into its own network.
 * Plain http only with `allowPrivate` (KIPPER_CI_ISSUER_ALLOW_PRIVATE) and only to such an
 * address (a test issuer, an in-house GitLab).
 */
export async function checkIssuer(raw: string, allowPrivate: boolean, resolve: typeof lookup = lookup): Promise<Checked<string>> {
  const refuse = (problem: string): Checked<string> => ({ ok: false, problem: `issuer ${problem}` });
  const value = raw.trim();
  if (value === '') return refuse('is required: the CI provider\'s OIDC issuer, e.g. https://token.actions.githubusercontent.com or https://gitlab.com');
  if (value.length > MAX_ISSUER_LENGTH) return refuse(`is longer than ${MAX_ISSUER_LENGTH} characters`);
  if (CONTROL.test(value) || /\s/.test(value)) return refuse('contains spaces or control characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse(`is not a URL: "${value}" (use e.g. https://token.actions.githubusercontent.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse(`must start with https://, got "${value}"`);
  if (!url.hostname || /^[a-z]+:\/\/\//i.test(value)) return refuse('has no host');
  if (url.username || url.password) return refuse('carries credentials');
  if (url.search || url.hash) return refuse('has a query or fragment: an OIDC issuer is a plain URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const inside = await privateHostProblem(host, false, CI_ISSUER_SETTING, resolve);
  if (url.protocol === 'http:') {
    if (!allowPrivate) return refuse(`must start with https:// (plain http only to a private address with ${CI_ISSUER_SETTING}=true), got "${value}"`);
    if (!inside) return refuse(`must start with https://: plain http is only for issuers on loopback or private addresses, got "${value}"`);
  } else if (inside && !allowPrivate) {
    return refuse(inside.replace('fetch from', 'fetch keys from'));
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, value: `${url.protocol}//${url.host}${path}` };
}

/**
 * The subject pattern, or why it is refused: not empty, no spaces or control characters, and
 * when it holds a `*`, the part before the first `*` names an owner or group (holds a `/`), so
 * `repo:acme/*` trusts acme's repositories but `repo:*` (every repository on GitHub) is refused.
 */
export function checkSubject(raw: string): Checked<string> {
  const refuse = (problem: string): Checked<string> => ({ ok: false, problem: `subject ${problem}` });
  const value = raw.trim();
  if (value === '') return refuse('is required, e.g. repo:acme/api:ref:refs/heads/main (GitHub) or project_path:acme/api:ref_type:branch:ref:main (GitLab)');
  if (value.length > MAX_SUBJECT_LENGTH) return refuse(`is longer than ${MAX_SUBJECT_LENGTH} characters`);
  if (CONTROL.test(value) || /\s/.test(value)) return refuse('contains spaces or control characters');
  const star = value.indexOf('*');
  if (star >= 0 && !value.slice(0, star).includes('/')) {
    return refuse(`"${value}" would trust far too much: put a wildcard only after the owner or group, e.g. repo:acme/*:ref:refs/heads/main`);
  }
  return { ok: true, value };
}

/** The audience, `kipper` when none is given. */
export function checkAudience(raw: string | null | undefined): Checked<string> {
  const value = (raw ?? '').trim() || DEFAULT_CI_AUDIENCE;
  if (value.length > MAX_AUDIENCE_LENGTH) return { ok: false, problem: `audience is longer than ${MAX_AUDIENCE_LENGTH} characters` };
  if (CONTROL.test(value) || /\s/.test(value)) return { ok: false, problem: 'audience contains spaces or control characters' };
  return { ok: true, value };
}

/**
 * Whether `subject` matches `pattern`, where `*` matches any run of characters (none included)
 * and everything else only itself: no regular expression is built from user text, and the
 * match takes at most (pattern length × subject length) steps (the classic two-pointer wildcard
 * match), never the exponential backtracking of a regular expression.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  let p = 0;
  let s = 0;
  let star = -1;
  let resume = 0;
  while (s < subject.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === subject[s]) {
      p++;
      s++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** `ci:SUBJECT`: who a keyless CI deploy is recorded as. */
export function ciActor(subject: string): string {
  return `ci:${subject}`;
}
