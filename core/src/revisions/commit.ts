import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

/**
 * The commits Kipper accepts, one rule per use. A revision's commit is only shown in the deploy
 * history, so CI may send what it has (`$CI_COMMIT_SHORT_SHA`, `github.sha`, a label); one word
 * of printable ASCII keeps each history row one line. A build checks its commit out and tags the
 * image with it, so that one must be hex.
 */
const COMMIT = /^[\x21-\x7e]{1,64}$/;
const BUILD_COMMIT = /^[0-9a-fA-F]{4,64}$/;
/** The head commit a provider's push names, in full: SHA-1 (40) or SHA-256 (64). */
const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

function shown(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 120);
}

function absent(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || value === '';
}

/** The commit a revision records, or null when none was given; VALIDATION_FAILED otherwise. */
export function optionalCommit(value: unknown): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string' || !COMMIT.test(value)) {
    throw new KipperError(
      ErrorCode.VALIDATION_FAILED,
      `Commit must be 1 to 64 printable characters without spaces (a git commit SHA, e.g. abc123f), got ${shown(value)}`,
      { field: 'commit' },
    );
  }
  return value;
}

/** The commit a build checks out, or null for the branch head; VALIDATION_FAILED otherwise. */
export function optionalBuildCommit(value: unknown): string | null {
  if (absent(value)) return null;
  if (typeof value !== 'string' || !BUILD_COMMIT.test(value)) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, `Commit to build must be a git commit SHA (4 to 64 hex characters, e.g. abc123f), got ${shown(value)}`, {
      field: 'commit',
    });
  }
  return value;
}

export function isFullCommitSha(value: unknown): value is string {
  return typeof value === 'string' && FULL_SHA.test(value);
}
