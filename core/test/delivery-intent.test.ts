import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppSource, DeliverySource, ErrorCode, KipperError, interpretDelivery, normaliseRepoUrl, type IntentApp } from '@kipper/core';

/** What a delivery asks for: pure rules over the app, the sender's event and the body. */

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const imageApp: IntentApp = { source: AppSource.IMAGE, gitUrl: null, gitBranch: null };
const gitApp: IntentApp = { source: AppSource.GIT, gitUrl: 'https://github.com/octo-org/shop-api.git', gitBranch: 'main' };
const gitlabApp: IntentApp = { source: AppSource.GIT, gitUrl: 'git@gitlab.example.com:shop/shop-api.git', gitBranch: 'main' };
const kipper = { source: DeliverySource.KIPPER, event: 'deploy' };
const githubPush = { source: DeliverySource.GITHUB, event: 'push' };
const gitlabPush = { source: DeliverySource.GITLAB, event: 'Push Hook' };

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KipperError) return err.code;
    throw err;
  }
  return undefined;
}

describe('interpretDelivery', () => {
  it('deploy an image app from {"image","commit"}', () => {
    expect(interpretDelivery(imageApp, kipper, { image: 'registry.example.com/api:abc123f', commit: 'abc123f' })).toEqual({
      kind: 'deploy-image',
      image: 'registry.example.com/api:abc123f',
      commit: 'abc123f',
    });
    expect(interpretDelivery(imageApp, kipper, { image: 'registry.example.com/api:abc123f' })).toEqual({
      kind: 'deploy-image',
      image: 'registry.example.com/api:abc123f',
      commit: undefined,
    });
  });

  it('refuse a missing or invalid image (422) and a bad commit (422)', () => {
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { commit: 'abc' }))).toBe(ErrorCode.INVALID_IMAGE);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 'Not An Image' }))).toBe(ErrorCode.INVALID_IMAGE);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 42 }))).toBe(ErrorCode.INVALID_IMAGE);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 'registry.example.com/api' }))).toBe(ErrorCode.INVALID_IMAGE);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 'a/b:1', commit: 'x'.repeat(65) }))).toBe(ErrorCode.VALIDATION_FAILED);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 'a/b:1', commit: 'abc; rm -rf' }))).toBe(ErrorCode.VALIDATION_FAILED);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, { image: 'a/b:1', commit: 7 }))).toBe(ErrorCode.VALIDATION_FAILED);
    expect(codeOf(() => interpretDelivery(imageApp, kipper, ['a/b:1']))).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('rebuild a git app from {"commit"} and refuse an image sent to it (409)', () => {
    expect(interpretDelivery(gitApp, kipper, { commit: 'abc123f' })).toEqual({ kind: 'build', commit: 'abc123f' });
    expect(interpretDelivery(gitApp, kipper, {})).toEqual({ kind: 'build', commit: undefined });
    expect(codeOf(() => interpretDelivery(gitApp, kipper, { image: 'a/b:1' }))).toBe(ErrorCode.WRONG_APP_SOURCE);
    // A build checks its commit out: only a SHA will do.
    expect(codeOf(() => interpretDelivery(gitApp, kipper, { commit: 'race1' }))).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('build the pushed head commit of a real GitHub push to the app branch', () => {
    const body = JSON.parse(fixture('github-push.json').toString('utf8')) as Record<string, unknown>;
    expect(interpretDelivery(gitApp, githubPush, body)).toEqual({ kind: 'build', commit: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' });
    expect(interpretDelivery({ ...gitApp, gitUrl: 'git@github.com:octo-org/shop-api.git' }, githubPush, body).kind).toBe('build');
  });

  it('ignore other branches, tags, deleted branches, other repositories and pushes to image apps', () => {
    const body = JSON.parse(fixture('github-push.json').toString('utf8')) as Record<string, unknown>;
    const ignored = (app: IntentApp, payload: unknown, delivery = githubPush) => {
      const intent = interpretDelivery(app, delivery, payload);
      return intent.kind === 'ignore' ? intent.reason : undefined;
    };
    expect(ignored(gitApp, { ...body, ref: 'refs/heads/feature/x' })).toMatch(/refs\/heads\/feature\/x ignored: this app builds branch main/);
    expect(ignored(gitApp, { ...body, ref: 'refs/tags/v1.0.0' })).toMatch(/tag v1.0.0/);
    expect(ignored(gitApp, { ...body, deleted: true, after: '0'.repeat(40) })).toMatch(/deleted/);
    expect(ignored({ ...gitApp, gitUrl: 'https://github.com/someone/else.git' }, body)).toMatch(/another repository/);
    expect(ignored(imageApp, body)).toMatch(/image app, which deploys from CI/);
    expect(ignored(gitApp, body, { source: DeliverySource.GITHUB, event: 'issues' })).toMatch(/"issues" ignored/);
    expect(interpretDelivery(gitApp, { source: DeliverySource.GITHUB, event: 'ping' }, {})).toEqual({ kind: 'ping' });
    expect(codeOf(() => interpretDelivery(gitApp, githubPush, { ref: 'refs/heads/main', after: 'nope' }))).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('build the checkout_sha of a real GitLab Push Hook, ignore tag pushes', () => {
    const body = JSON.parse(fixture('gitlab-push.json').toString('utf8')) as Record<string, unknown>;
    expect(interpretDelivery(gitlabApp, gitlabPush, body)).toEqual({ kind: 'build', commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
    expect(interpretDelivery(gitlabApp, gitlabPush, { ...body, checkout_sha: null, after: '0'.repeat(40) }).kind).toBe('ignore');
    expect(interpretDelivery(gitlabApp, { source: DeliverySource.GITLAB, event: 'Tag Push Hook' }, body).kind).toBe('ignore');
    expect(interpretDelivery(gitlabApp, { source: DeliverySource.GITLAB, event: 'Merge Request Hook' }, body).kind).toBe('ignore');
  });

  it('compare repository URLs in any of their spellings', () => {
    const same = ['https://github.com/Octo-Org/shop-api.git', 'git@github.com:octo-org/shop-api.git', 'ssh://git@github.com:22/octo-org/shop-api', 'https://x:y@github.com/octo-org/shop-api/'];
    for (const url of same) expect(normaliseRepoUrl(url)).toBe('github.com/octo-org/shop-api');
  });
});
