import { AppSource } from '../apps/app.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { isFullCommitSha, optionalBuildCommit, optionalCommit } from '../revisions/commit.js';
import { assertImageReference } from '../revisions/image-reference.js';
import { DeliverySource } from './webhook-delivery.entity.js';

/**
 * What a webhook delivery asks for, worked out from its sender, event and body without touching
 * anything: pure, so every rule here is unit-tested without a database or a server.
 */

export type WebhookIntent =
  | { kind: 'deploy-image'; image: string; commit: string | undefined }
  | { kind: 'build'; commit: string | undefined }
  | { kind: 'ping' }
  | { kind: 'ignore'; reason: string };

/** What the interpreter needs to know about the app. */
export interface IntentApp {
  source: AppSource;
  gitUrl: string | null;
  gitBranch: string | null;
}

/** Who sent a delivery and which event it is. */
export interface DeliveryEvent {
  source: DeliverySource;
  /** `deploy` for Kipper's own format, else the provider's event name (`push`, `ping`, `Push Hook`, …). */
  event: string;
}

/** Branch a git app builds when none was stored. */
export const DEFAULT_GIT_BRANCH = 'main';

const ZERO_SHA = /^0+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A repository URL reduced to `host/owner/repo`, so `https://github.com/o/r.git`,
 * `git@github.com:o/r.git` and `ssh://git@github.com/o/r` compare equal.
 */
export function normaliseRepoUrl(url: string): string {
  let value = url.trim().toLowerCase();
  value = value.replace(/^[a-z+]+:\/\//, '');
  value = value.replace(/^[^@/]+@/, '');
  value = value.replace(/^([^/:]+):(?!\d+\/)/, '$1/'); // scp-like git@host:owner/repo
  value = value.replace(/^([^/:]+):\d+\//, '$1/'); // drop a port
  return value.replace(/\/+$/, '').replace(/\.git$/, '');
}

function repositoryUrls(body: Record<string, unknown>, source: DeliverySource): string[] {
  const holders = [body.repository, source === DeliverySource.GITLAB ? body.project : undefined].filter(isObject);
  const keys = ['clone_url', 'ssh_url', 'html_url', 'git_url', 'url', 'git_http_url', 'git_ssh_url', 'web_url', 'homepage'];
  return holders.flatMap((repo) => keys.map((k) => repo[k]).filter((v): v is string => typeof v === 'string' && v !== ''));
}

function interpretPush(app: IntentApp, source: DeliverySource, body: unknown): WebhookIntent {
  const who = source === DeliverySource.GITHUB ? 'GitHub' : 'GitLab';
  if (app.source === AppSource.IMAGE) {
    return {
      kind: 'ignore',
      reason: `${who} push ignored: this is an image app, which deploys from CI. Build the image in your pipeline and POST {"image": "...", "commit": "..."} with X-Kipper-Token`,
    };
  }
  if (!isObject(body) || typeof body.ref !== 'string') {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, `The ${who} push payload has no "ref": send the provider's push event unchanged`);
  }
  const ref = body.ref;
  const branch = app.gitBranch || DEFAULT_GIT_BRANCH;
  if (ref.startsWith('refs/tags/')) {
    return { kind: 'ignore', reason: `push of tag ${ref.slice('refs/tags/'.length)} ignored: this app builds branch ${branch}` };
  }
  if (ref !== `refs/heads/${branch}`) {
    return { kind: 'ignore', reason: `push to ${ref} ignored: this app builds branch ${branch}` };
  }
  const head = source === DeliverySource.GITLAB ? (body.checkout_sha ?? body.after) : body.after;
  if (body.deleted === true || head === null || (typeof head === 'string' && ZERO_SHA.test(head))) {
    return { kind: 'ignore', reason: `branch ${branch} was deleted: nothing to build` };
  }
  if (!isFullCommitSha(head)) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, `The ${who} push payload has no head commit SHA in "${source === DeliverySource.GITLAB ? 'checkout_sha' : 'after'}"`);
  }
  if (app.gitUrl) {
    const urls = repositoryUrls(body, source);
    const wanted = normaliseRepoUrl(app.gitUrl);
    if (urls.length > 0 && !urls.some((u) => normaliseRepoUrl(u) === wanted)) {
      return { kind: 'ignore', reason: `push to another repository ignored: this app builds ${app.gitUrl}` };
    }
  }
  return { kind: 'build', commit: head.toLowerCase() };
}

function interpretKipperBody(app: IntentApp, body: unknown): WebhookIntent {
  if (!isObject(body)) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, 'The body must be a JSON object like {"image": "registry.example.com/api:abc123f", "commit": "abc123f"}');
  }
  if (app.source === AppSource.GIT) {
    if (body.image !== undefined && body.image !== null) {
      throw new KipperError(ErrorCode.WRONG_APP_SOURCE, 'this app builds from git; send {"commit": ...} or deploy it as an image app');
    }
    return { kind: 'build', commit: optionalBuildCommit(body.commit) ?? undefined };
  }
  const image = body.image;
  if (image === undefined || image === null || image === '') {
    throw new KipperError(ErrorCode.INVALID_IMAGE, '"image" is required: send {"image": "registry.example.com/api:abc123f", "commit": "abc123f"}');
  }
  assertImageReference(image);
  return { kind: 'deploy-image', image, commit: optionalCommit(body.commit) ?? undefined };
}

/**
 * Decides what a delivery asks for. Throws KipperError (VALIDATION_FAILED, INVALID_IMAGE,
 * WRONG_APP_SOURCE) for requests that must be refused; returns `ignore` for events that are
 * acknowledged without changing anything.
 */
export function interpretDelivery(app: IntentApp, delivery: DeliveryEvent, body: unknown): WebhookIntent {
  switch (delivery.source) {
    case DeliverySource.GITHUB:
      if (delivery.event === 'ping') return { kind: 'ping' };
      if (delivery.event === 'push') return interpretPush(app, delivery.source, body);
      return { kind: 'ignore', reason: `GitHub event "${delivery.event}" ignored: Kipper acts on push (and answers ping)` };
    case DeliverySource.GITLAB:
      if (delivery.event === 'Push Hook') return interpretPush(app, delivery.source, body);
      if (delivery.event === 'Tag Push Hook') return { kind: 'ignore', reason: 'GitLab tag push ignored: Kipper builds branch pushes' };
      return { kind: 'ignore', reason: `GitLab event "${delivery.event}" ignored: Kipper acts on Push Hook` };
    case DeliverySource.KIPPER:
      return interpretKipperBody(app, body);
  }
}
