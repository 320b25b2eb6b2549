import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppSource, DeliverySource, ErrorCode, KipperError, RevisionStatus, ciSnippets, generateToken, githubSignature, githubSignatureMatches, hashToken, tokenMatchesHash } from '@kipper/core';
import { HTTP_STATUS, httpStatusOf } from '../src/webhooks/http-status.js';
import { TokenBucketLimiter } from '../src/webhooks/rate-limiter.js';
import { deliveryHeaders, deliveryKey, mediaType, parseBody, revisionNumberOf } from '../src/webhooks/webhook.request.js';
import { httpResponseOf } from '../src/webhooks/webhook.responses.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

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

describe('webhook requests', () => {
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

  it('read a revision number from a status URL, and refuse anything else as REVISION_NOT_FOUND', () => {
    expect(revisionNumberOf('7')).toBe(7);
    for (const bad of ['0', '07', '-1', '1e3', '1234567890', 'latest']) expect(codeOf(() => revisionNumberOf(bad))).toBe(ErrorCode.REVISION_NOT_FOUND);
  });
});

describe('webhook answers', () => {
  it('are the contract\'s statuses and bodies', () => {
    const revision = { number: 3, status: RevisionStatus.QUEUED, image: 'registry.example.com/api:abc123f', commit: 'abc123f' };
    const statusUrl = 'http://kipper.test/api/v1/webhook/shop-test/api/revisions/3';
    expect(httpResponseOf({ kind: 'accepted', app: 'shop-test/api', revision, statusUrl })).toEqual({ statusCode: 202, body: { revision, app: 'shop-test/api', statusUrl } });
    expect(httpResponseOf({ kind: 'ping' })).toEqual({ statusCode: 200, body: { ok: true, event: 'ping' } });
    expect(httpResponseOf({ kind: 'ignored', reason: 'push to refs/heads/x ignored' })).toEqual({ statusCode: 200, body: { ignored: 'push to refs/heads/x ignored' } });
    expect(httpResponseOf({ kind: 'refused', code: ErrorCode.QUEUE_UNAVAILABLE, message: 'Revision #3 is recorded' })).toEqual({
      statusCode: 503,
      body: { error: { code: 'QUEUE_UNAVAILABLE', message: 'Revision #3 is recorded' } },
    });
  });

  it('never show the message of a cluster or internal failure', () => {
    for (const code of [ErrorCode.CLUSTER_UNAVAILABLE, ErrorCode.CLUSTER_ERROR, ErrorCode.INTERNAL]) {
      const { body } = httpResponseOf({ kind: 'refused', code, message: 'connect ECONNREFUSED 10.96.0.1:443' });
      expect(JSON.stringify(body)).not.toContain('10.96');
      expect(body).toMatchObject({ error: { code, message: expect.stringContaining('the api log has the details') } });
    }
  });
});

describe('CI snippets', () => {
  const url = 'https://kipper.example.com/api/v1/webhook/yourr-name-test/api';

  it('are the product page\'s GitLab CI job and GitHub Actions step, with the URL filled in', () => {
    const { gitlabCi, githubActions } = ciSnippets(url, AppSource.IMAGE);
    expect(gitlabCi).toContain(`curl --fail-with-body -sS -X POST ${url} \\`);
    expect(gitlabCi).toContain('-H "X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN"');
    expect(gitlabCi).toContain('-H "Content-Type: application/json"');
    expect(gitlabCi).toContain(`image="$(printf '%s' "$CI_REGISTRY_IMAGE" | tr '[:upper:]' '[:lower:]'):$CI_COMMIT_SHORT_SHA"`);
    expect(gitlabCi).toContain('-d "{\\"image\\": \\"$image\\", \\"commit\\": \\"$CI_COMMIT_SHORT_SHA\\"}"');
    expect(gitlabCi).toMatch(/only:\n {4}- main/);
    expect(githubActions).toContain('- name: Deploy to Kipper');
    expect(githubActions).toContain('    KIPPER_WEBHOOK_TOKEN: ${{ secrets.KIPPER_WEBHOOK_TOKEN }}');
    expect(githubActions).toContain('  shell: bash');
    expect(githubActions).toContain('image="ghcr.io/${GITHUB_REPOSITORY,,}:$GITHUB_SHA"');
    expect(githubActions).toContain('-d "{\\"image\\": \\"$image\\", \\"commit\\": \\"$GITHUB_SHA\\"}"');
    const git = ciSnippets(url, AppSource.GIT);
    expect(git.gitlabCi).toContain('-d "{\\"commit\\": \\"$CI_COMMIT_SHA\\"}"');
    expect(git.githubActions).toContain('-d "{\\"commit\\": \\"$GITHUB_SHA\\"}"');
    expect(git.gitlabCi).not.toContain('image=');
  });

  it('fail loudly: every curl has --fail-with-body, and no image name keeps github.repository\'s capitals', () => {
    for (const source of [AppSource.IMAGE, AppSource.GIT]) {
      for (const [name, snippet] of Object.entries(ciSnippets(url, source))) {
        const curls = snippet.match(/curl [^\n]*/g) ?? [];
        expect(curls.length, name).toBeGreaterThan(0);
        for (const curl of curls) expect(curl, name).toContain('--fail-with-body');
        expect(snippet, name).not.toContain('github.repository');
        expect(snippet, name).not.toMatch(/[0-9a-f]{64}/);
      }
    }
  });

  it('have waiting variants: the same request, then the status URL polled until the revision is decided', () => {
    const s = ciSnippets(url, AppSource.IMAGE);
    for (const [plain, wait] of [
      [s.gitlabCi, s.gitlabCiWait],
      [s.githubActions, s.githubActionsWait],
    ] as const) {
      expect(wait).toContain(`answer=$(curl --fail-with-body -sS -X POST ${url} \\`);
      expect(wait).toContain('status_url=$(field statusUrl "$answer")');
      expect(wait).toContain('"${KIPPER_WAIT_SECONDS:-600}"');
      expect(wait).toMatch(/live\) .*; break ;;/);
      expect(wait).toMatch(/failed\|cancelled\) .*; exit 1 ;;/);
      // The same job around it.
      expect(wait.split('\n').slice(0, 4)).toEqual(plain.split('\n').slice(0, 4));
    }
    expect(s.gitlabCiWait).toMatch(/\n {6}done\n {2}only:\n {4}- main\n$/);
  });

  it('are shown in docs/webhooks-and-ci-cd.md as Kipper prints them', () => {
    const docs = readFileSync(new URL('../../docs/webhooks-and-ci-cd.md', import.meta.url), 'utf8');
    const s = ciSnippets('https://console-api.example.com/api/v1/webhook/yourr-name-test/api', AppSource.IMAGE);
    for (const name of ['gitlabCi', 'githubActions', 'gitlabCiWait'] as const) expect(docs, name).toContain(`\n${s[name]}\``);
    expect(docs).not.toMatch(/curl -s /);
  });
});
