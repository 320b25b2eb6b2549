import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppSource, DeliverySource, ErrorCode, KipperError, ciSnippets, generateToken, githubSignature, githubSignatureMatches, hashToken, tokenMatchesHash } from '@kipper/core';
import { HTTP_STATUS, httpStatusOf } from '../src/webhooks/http-status.js';
import { TokenBucketLimiter } from '../src/webhooks/rate-limiter.js';
import {
  deliveryHeaders,
  deliveryKey,
  interpretDelivery,
  mediaType,
  normaliseRepoUrl,
  parseBody,
  type IntentApp,
} from '../src/webhooks/webhook.payload.js';

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

describe('webhook tokens', () => {
  it('are 32 random bytes as 64 hex characters, never the same twice', () => {
    const a = generateToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('match only their own SHA-256, and never a null hash', () => {
    const token = generateToken();
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatchesHash(token, hash)).toBe(true);
    expect(tokenMatchesHash(generateToken(), hash)).toBe(false);
    expect(tokenMatchesHash('', hash)).toBe(false);
    expect(tokenMatchesHash(token.toUpperCase(), hash)).toBe(false);
    expect(tokenMatchesHash(token, null)).toBe(false);
  });
});

describe('GitHub signatures (X-Hub-Signature-256)', () => {
  const token = generateToken();
  const raw = fixture('github-push.json');

  it('accept the HMAC-SHA256 of the raw bytes', () => {
    expect(githubSignatureMatches(token, raw, githubSignature(token, raw))).toBe(true);
    expect(githubSignatureMatches(token, raw, githubSignature(token, raw).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it('refuse a body with one byte changed after signing', () => {
    const signature = githubSignature(token, raw);
    const tampered = Buffer.from(raw);
    tampered[tampered.indexOf('0d1a26e6')] = '1'.charCodeAt(0);
    expect(githubSignatureMatches(token, tampered, signature)).toBe(false);
  });

  it('refuse re-serialised JSON (same data, other bytes)', () => {
    const signature = githubSignature(token, raw);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(githubSignatureMatches(token, reserialised, signature)).toBe(false);
  });

  it('refuse another token, and malformed headers', () => {
    expect(githubSignatureMatches(token, raw, githubSignature(generateToken(), raw))).toBe(false);
    for (const header of ['', 'sha256=', 'sha1=abc', `sha256=${'z'.repeat(64)}`, githubSignature(token, raw).slice(0, -2), `${githubSignature(token, raw)}00`]) {
      expect(githubSignatureMatches(token, raw, header)).toBe(false);
    }
  });
});

describe('rate limiter (token bucket)', () => {
  it('allows a burst, then refills at the given rate, per key', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ burst: 3, perSecond: 1 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').ok).toBe(true); // other keys are unaffected
    now += 999;
    expect(limiter.take('a').ok).toBe(false);
    now += 1;
    expect(limiter.take('a').ok).toBe(true);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false]);
  });

  it('says how long to wait, rounded up to whole seconds', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 0.25 }, () => now);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 4 });
    now += 1_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 3 });
  });

  it('peeks without taking, and charges into debt', () => {
    const now = 0;
    const limiter = new TokenBucketLimiter({ burst: 2, perSecond: 1 }, () => now);
    expect(limiter.peek('x').ok).toBe(true);
    expect(limiter.size).toBe(0);
    limiter.charge('x', 5);
    expect(limiter.peek('x')).toEqual({ ok: false, retryAfterSeconds: 3 });
  });

  it('keeps a bounded number of keys', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 1, maxKeys: 100 }, () => 0);
    for (let i = 0; i < 1_000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

describe('error code → HTTP status', () => {
  it('has a status for every code', () => {
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
  });

  it('maps the webhook refusals as the contract says', () => {
    expect(httpStatusOf(ErrorCode.UNSUPPORTED_MEDIA_TYPE)).toBe(415);
    expect(httpStatusOf(ErrorCode.PAYLOAD_TOO_LARGE)).toBe(413);
    expect(httpStatusOf(ErrorCode.UNAUTHENTICATED)).toBe(401);
    expect(httpStatusOf(ErrorCode.MALFORMED_JSON)).toBe(400);
    expect(httpStatusOf(ErrorCode.INVALID_IMAGE)).toBe(422);
    expect(httpStatusOf(ErrorCode.VALIDATION_FAILED)).toBe(422);
    expect(httpStatusOf(ErrorCode.WRONG_APP_SOURCE)).toBe(409);
    expect(httpStatusOf(ErrorCode.RATE_LIMITED)).toBe(429);
    expect(httpStatusOf(ErrorCode.QUEUE_UNAVAILABLE)).toBe(503);
  });
});

describe('webhook payloads', () => {
  it('parse JSON and GitHub form bodies, and refuse the rest as MALFORMED_JSON', () => {
    expect(parseBody(Buffer.from('{"image":"a:1"}'), 'application/json')).toEqual({ image: 'a:1' });
    const form = `payload=${encodeURIComponent('{"zen":"x"}')}`;
    expect(parseBody(Buffer.from(form), 'application/x-www-form-urlencoded')).toEqual({ zen: 'x' });
    expect(codeOf(() => parseBody(Buffer.from('{"image": '), 'application/json'))).toBe(ErrorCode.MALFORMED_JSON);
    expect(codeOf(() => parseBody(Buffer.alloc(0), 'application/json'))).toBe(ErrorCode.MALFORMED_JSON);
    expect(codeOf(() => parseBody(Buffer.from('other=1'), 'application/x-www-form-urlencoded'))).toBe(ErrorCode.MALFORMED_JSON);
  });

  it('read the media type without parameters', () => {
    expect(mediaType('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaType(undefined)).toBe('');
  });

  it('tell the sender and the delivery key from the headers', () => {
    expect(deliveryHeaders({ 'x-github-event': 'push' })).toEqual(githubPush);
    expect(deliveryHeaders({ 'x-gitlab-event': 'Push Hook' })).toEqual(gitlabPush);
    expect(deliveryHeaders({})).toEqual(kipper);
    expect(deliveryKey({ 'x-github-delivery': 'g-1' })).toBe('g-1');
    expect(deliveryKey({ 'x-gitlab-event-uuid': 'l-1' })).toBe('l-1');
    expect(deliveryKey({ 'idempotency-key': ' k-1 ' })).toBe('k-1');
    expect(deliveryKey({})).toBeUndefined();
    expect(codeOf(() => deliveryKey({ 'idempotency-key': 'x'.repeat(201) }))).toBe(ErrorCode.VALIDATION_FAILED);
  });

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

describe('CI snippets', () => {
  it('are the product page\'s GitLab CI job and GitHub Actions step, with the URL filled in', () => {
    const url = 'https://kipper.example.com/api/v1/webhook/yourr-name-test/api';
    const { gitlabCi, githubActions } = ciSnippets(url, AppSource.IMAGE);
    expect(gitlabCi).toContain(`curl -s -X POST ${url} \\`);
    expect(gitlabCi).toContain('-H "X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN"');
    expect(gitlabCi).toContain('-H "Content-Type: application/json"');
    expect(gitlabCi).toContain(`-d '{"image": "'$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA'", "commit": "'$CI_COMMIT_SHORT_SHA'"}'`);
    expect(gitlabCi).toMatch(/only:\n {4}- main/);
    expect(githubActions).toContain('- name: Deploy to Kipper');
    expect(githubActions).toContain('-H "X-Kipper-Token: ${{ secrets.KIPPER_WEBHOOK_TOKEN }}"');
    expect(githubActions).toContain(`-d '{"image": "ghcr.io/\${{ github.repository }}:\${{ github.sha }}", "commit": "\${{ github.sha }}"}'`);
    const git = ciSnippets(url, AppSource.GIT);
    expect(git.gitlabCi).toContain(`-d '{"commit": "'$CI_COMMIT_SHA'"}'`);
    expect(git.githubActions).toContain(`-d '{"commit": "\${{ github.sha }}"}'`);
  });
});
