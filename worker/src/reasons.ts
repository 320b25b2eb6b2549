import { ClusterError, isNotManaged } from '@kipper/kube';
import { GitError } from './git.js';

/** What a revision's failure reason says about errors that are not a build or rollout outcome. */
export const INTERNAL_ERROR_REASON = 'internal error (see the worker log)';

/**
 * The failure reason stored for (and shown through the status URL of) an unexpected error:
 * a refusal to touch an object Kipper did not create is the user's to fix and says so; anything
 * else is generic, its details go to the worker log only.
 */
export function publicFailureReason(error: unknown): string {
  if (isNotManaged(error)) return (error as Error).message;
  return INTERNAL_ERROR_REASON;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/**
 * Text with every URL in it stripped of what could be a secret: user, password, query and
 * fragment (`https://user:token@host/x.git?t=1` → `https://host/x.git`). Failure reasons are
 * readable with a webhook token; a builder's output or a cluster message may carry such URLs.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    try {
      const url = new URL(match);
      if (!url.username && !url.password && !url.search && !url.hash) return match;
      url.username = '';
      url.password = '';
      url.search = '';
      url.hash = '';
      return url.toString();
    } catch {
      return match.replace(/\/\/[^@/]*@/, '//').replace(/[?#].*$/, '');
    }
  });
}

/** Lines of a failed build's output quoted in its failure reason. */
const QUOTED_LINES = 3;
const QUOTED_LINE_CHARS = 300;

/**
 * Why a build Job failed, for people: the Job's reason and message, then the last lines the
 * builder printed (where the real cause usually is), redacted.
 */
export function buildOutcomeReason(outcome: { reason: string; message: string }, lastLines: readonly string[]): string {
  const head = `${outcome.reason}: ${outcome.message}`;
  const tail = lastLines
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(-QUOTED_LINES)
    .map((line) => (line.length > QUOTED_LINE_CHARS ? `${line.slice(0, QUOTED_LINE_CHARS)}…` : line));
  return redactUrls(tail.length > 0 ? `${head}; last output: ${tail.join(' | ')}` : head);
}

/**
 * Why a step of a build failed before the builder ran (git, creating the Job), or null when the
 * error says nothing about the build (the caller treats it as internal). Git's own words, and the
 * cluster's refusal of the Job, are what the user needs to fix it; URLs are redacted.
 */
export function buildStepReason(error: unknown): string | null {
  if (error instanceof GitError) return redactUrls(error.message);
  if (isNotManaged(error)) return (error as Error).message;
  if (error instanceof ClusterError) return redactUrls(`the build Job could not be created: ${error.message}`);
  return null;
}
