import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, SignJWT } from 'jose';
import { AuditEntry, checkIssuer, Revision, type App } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { githubActionsClaims, gitlabClaims, startOidcIssuers, type LocalIssuer, type OidcIssuerServer } from '../../test/support/oidc-issuer.js';

/**
 * Keyless CI against a real Kipper (PostgreSQL, Redis, simulator) and a local OIDC issuer that
 * publishes its keys as GitHub Actions and GitLab do: tokens are checked with the issuer's JWKS,
 * and every refusal is the webhook's ordinary 401 and changes nothing.
 */

let kipper: RunningKipper;
let issuers: OidcIssuerServer;
let github: LocalIssuer;
let gitlab: LocalIssuer;
let api: App;
let builder: App;
const SUBJECT = 'repo:acme/api:ref:refs/heads/main';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Each request from its own address (X-Forwarded-For, trusted from loopback): the failed-authentication limits stay out of the way unless a test wants them. */
async function post(token: string, body: unknown = { image: `registry.example.com/api:${randomUUID().slice(0, 8)}`, commit: 'abc1234' }, options: { app?: string; from?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`${kipper.url}/api/v1/webhook/shop-test/${options.app ?? 'api'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-forwarded-for': options.from ?? `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`, ...options.headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function state(): Promise<{ revisions: number; deliveries: number; used: number; jobs: number }> {
  const [row] = (await kipper.kipper.services.dataSource.query(
    'SELECT (SELECT count(*) FROM revision)::int AS revisions, (SELECT count(*) FROM webhook_delivery)::int AS deliveries, (SELECT count(*) FROM ci_token_use)::int AS used',
  )) as { revisions: number; deliveries: number; used: number }[];
  const counts = await kipper.kipper.services.queue.queue.getJobCounts();
  return { ...row!, jobs: Object.values(counts).reduce((a, b) => a + b, 0) };
}

let unauthenticatedMessage = '';

/** Sends and checks the answer is the webhook's unified 401 and that nothing changed. */
async function refused(token: string, options: Parameters<typeof post>[2] = {}): Promise<void> {
  const before = await state();
  const answer = await post(token, undefined, options);
  expect(answer.status).toBe(401);
  expect(answer.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: unauthenticatedMessage } });
  expect(await state()).toEqual(before);
}

async function trust(app: string, issuer: string, subject: string, audience?: string) {
  return kipper.graphql<{ trustWebhookIssuer: { id: string; issuer: string; subject: string; audience: string; createdBy: string } }>(
    'mutation($app: AppRef!, $issuer: String!, $subject: String!, $audience: String) { trustWebhookIssuer(app: $app, issuer: $issuer, subject: $subject, audience: $audience) { id issuer subject audience createdBy } }',
    { app: { namespace: 'shop-test', name: app }, issuer, subject, audience },
  );
}

async function revisionOf(number: number, app = api): Promise<Revision> {
  return kipper.kipper.services.dataSource.getRepository(Revision).findOneByOrFail({ appId: app.id, number });
}

beforeAll(async () => {
  issuers = await startOidcIssuers();
  github = await issuers.issuer('github');
  gitlab = await issuers.issuer('gitlab');
  await github.addKey({ alg: 'RS256' });
  await gitlab.addKey({ alg: 'ES256' });
  kipper = await startKipper({ env: { KIPPER_TRUST_PROXY: 'loopback', KIPPER_CI_ISSUER_ALLOW_PRIVATE: 'true', KIPPER_CI_JWKS_COOLDOWN_SECONDS: '0' } });
  const services = kipper.kipper.services;
  await services.projects.create({ name: 'shop', environments: ['test'] }, 'admin');
  api = (await services.apps.deploy({ project: 'shop', environment: 'test', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'admin')).app;
  builder = (await services.apps.deploy({ project: 'shop', environment: 'test', name: 'builder', port: 8080, gitUrl: 'https://gitlab.com/acme/builder.git', gitBranch: 'main' }, 'admin')).app;
  await services.apps.deploy({ project: 'shop', environment: 'test', name: 'plain', port: 8080, image: 'registry.example.com/plain:v1' }, 'admin');
  // The ordinary 401 of a wrong shared token: keyless refusals must answer exactly this.
  const res = await fetch(`${kipper.url}/api/v1/webhook/shop-test/plain`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kipper-token': 'nope' }, body: '{}' });
  unauthenticatedMessage = ((await res.json()) as { error: { message: string } }).error.message;
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await issuers?.close();
});

describe('trusting a CI identity', () => {
  it('refuses wrong issuers, subjects and audiences with VALIDATION_FAILED and changes nothing', async () => {
    const audits = await kipper.kipper.services.dataSource.getRepository(AuditEntry).countBy({ action: 'webhook.trust' });
    const cases: [string, string, string | undefined, RegExp][] = [
      ['', SUBJECT, undefined, /issuer is required/],
      ['ftp://token.example.com', SUBJECT, undefined, /must start with https/],
      ['token.actions.githubusercontent.com', SUBJECT, undefined, /not a URL/],
      ['http://token.actions.githubusercontent.com', SUBJECT, undefined, /plain http is only for issuers on loopback or private addresses/],
      ['https://user:pw@token.example.com', SUBJECT, undefined, /credentials/],
      ['https://token.example.com/?x=1', SUBJECT, undefined, /query or fragment/],
      [github.issuer, '', undefined, /subject is required/],
      [github.issuer, '*', undefined, /far too much/],
      [github.issuer, 'repo:*', undefined, /far too much/],
      [github.issuer, 'repo:acme api', undefined, /spaces/],
      [github.issuer, SUBJECT, 'two words', /audience contains spaces/],
    ];
    for (const [issuer, subject, audience, message] of cases) {
      const answer = await trust('api', issuer, subject, audience);
      expect(answer.errors?.[0]?.extensions?.code, `${issuer} ${subject}`).toBe('VALIDATION_FAILED');
      expect(answer.errors?.[0]?.message).toMatch(message);
    }
    expect(await kipper.kipper.services.webhookTrusts.list(api.id)).toEqual([]);
    expect(await kipper.kipper.services.dataSource.getRepository(AuditEntry).countBy({ action: 'webhook.trust' })).toBe(audits);
  });

  it('refuses issuers on loopback, link-local or private addresses unless KIPPER_CI_ISSUER_ALLOW_PRIVATE', async () => {
    for (const issuer of ['https://127.0.0.1/x', 'https://169.254.169.254', 'https://localhost:8443', 'https://[::1]/', 'http://10.0.0.8']) {
      const checked = await checkIssuer(issuer, false);
      expect(checked.ok, issuer).toBe(false);
      expect(checked.ok ? '' : checked.problem).toMatch(/KIPPER_CI_ISSUER_ALLOW_PRIVATE/);
    }
    expect(await checkIssuer('http://10.0.0.8/', true)).toEqual({ ok: true, value: 'http://10.0.0.8' });
    expect(await checkIssuer('https://token.actions.githubusercontent.com/', false)).toEqual({ ok: true, value: 'https://token.actions.githubusercontent.com' });
  });

  it('records the trust with its actor and audit entry; the same trust again changes nothing', async () => {
    const first = await trust('api', github.issuer, SUBJECT);
    expect(first.errors).toBeUndefined();
    expect(first.data!.trustWebhookIssuer).toMatchObject({ issuer: github.issuer, subject: SUBJECT, audience: 'kipper', createdBy: 'admin' });
    const again = await trust('api', `${github.issuer}/`, SUBJECT, 'kipper');
    expect(again.data!.trustWebhookIssuer.id).toBe(first.data!.trustWebhookIssuer.id);
    const audits = await kipper.kipper.services.dataSource.getRepository(AuditEntry).findBy({ action: 'webhook.trust', target: 'shop-test/api' });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'admin', details: { issuer: github.issuer, subject: SUBJECT, audience: 'kipper' } });
    const listed = await kipper.data<{ app: { webhook: { enabled: boolean; trusts: { subject: string }[] } } }>(
      'query { app(ref: { namespace: "shop-test", name: "api" }) { webhook { enabled trusts { subject } } } }',
    );
    expect(listed.app.webhook).toEqual({ enabled: false, trusts: [{ subject: SUBJECT }] });
  });
});

describe('a keyless delivery', () => {
  it('deploys with a GitHub-Actions-shaped token of the trusted subject, triggered by ci:SUBJECT', async () => {
    const token = await github.sign(githubActionsClaims('acme/api'));
    const answer = await post(token, { image: 'registry.example.com/api:keyless1', commit: 'abc1234' });
    expect(answer.status).toBe(202);
    const number = (answer.body.revision as { number: number }).number;
    const revision = await revisionOf(number);
    expect(revision).toMatchObject({ image: 'registry.example.com/api:keyless1', trigger: 'webhook', triggeredBy: `ci:${SUBJECT}`, status: 'queued' });
    const audit = await kipper.kipper.services.dataSource.getRepository(AuditEntry).findOneByOrFail({ action: 'revision.webhook', target: 'shop-test/api' });
    expect(audit.actor).toBe(`ci:${SUBJECT}`);
    // The status URL answers to the same token (reading is not a second use).
    const status = await fetch(answer.body.statusUrl as string, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { number: number }).number).toBe(number);
  });

  it('refuses a re-used jti with 401 and changes nothing', async () => {
    const token = await github.sign(githubActionsClaims('acme/api'));
    expect((await post(token)).status).toBe(202);
    await refused(token);
    expect(kipper.logs.some((line) => /keyless CI token refused, answered 401: the token \(jti .*\) was used before/.test(line))).toBe(true);
  });

  it('does not use a token up on a refused delivery: fixed, the same token deploys', async () => {
    const token = await github.sign(githubActionsClaims('acme/api'));
    const before = await state();
    const bad = await post(token, { image: 'not an image', commit: 'abc1234' });
    expect(bad.status).toBe(422);
    expect((bad.body.error as { code: string }).code).toBe('INVALID_IMAGE');
    expect(await state()).toEqual(before);
    expect((await post(token)).status).toBe(202);
  });

  it('deploys once when the same token races itself', async () => {
    const token = await github.sign(githubActionsClaims('acme/api'));
    const before = await state();
    const answers = await Promise.all([post(token), post(token), post(token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 401, 401]);
    expect((await state()).revisions).toBe(before.revisions + 1);
  });

  it('refuses a wrong subject, a wrong audience, an expired or not-yet-valid token, with 401 and no change', async () => {
    await refused(await github.sign(githubActionsClaims('acme/api', 'refs/heads/feature')));
    await refused(await github.sign(githubActionsClaims('acme/other')));
    await refused(await github.sign(githubActionsClaims('acme/api', 'refs/heads/main', { aud: 'https://github.com/acme' })));
    const past = Math.floor(Date.now() / 1000) - 600;
    await refused(await github.sign(githubActionsClaims('acme/api', 'refs/heads/main', { iat: past, nbf: past, exp: past + 300 })));
    const future = Math.floor(Date.now() / 1000) + 120;
    await refused(await github.sign(githubActionsClaims('acme/api', 'refs/heads/main', { nbf: future, iat: future })));
    // Within the 30 s of clock skew: accepted.
    const skewed = Math.floor(Date.now() / 1000) - 320;
    expect((await post(await github.sign(githubActionsClaims('acme/api', 'refs/heads/main', { iat: skewed, nbf: skewed, exp: skewed + 300 })))).status).toBe(202);
    // Another app's URL: it trusts nobody.
    await refused(await github.sign(githubActionsClaims('acme/api')), { app: 'plain' });
    // A token of an issuer the app does not trust (GitLab's keys, GitHub's subject).
    await refused(await gitlab.sign(githubActionsClaims('acme/api')));
    const logged = kipper.logs.join('\n');
    expect(logged).toMatch(/subject repo:acme\/api:ref:refs\/heads\/feature matches no trust/);
    expect(logged).toMatch(/audience .* holds none of the trusted kipper/);
    expect(logged).toMatch(/the token has expired/);
  });

  it('refuses alg none, an HS256 token, a forged signature and a key the JWKS does not have', async () => {
    const claims = githubActionsClaims('acme/api');
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ iss: github.issuer, ...claims }))}.`;
    await refused(unsigned);
    const secret = new TextEncoder().encode('a shared secret of thirty-two bytes!!');
    await refused(await new SignJWT({ iss: github.issuer, ...githubActionsClaims('acme/api') }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret));
    const stranger = await issuers.issuer('stranger');
    const strangerKey = await stranger.addKey({ alg: 'RS256' });
    const published = await github.sign(githubActionsClaims('acme/api'));
    // Signed by a stranger's key under GitHub's kid and issuer.
    const [header, payload] = published.split('.');
    const forged = await new SignJWT({ iss: github.issuer, ...githubActionsClaims('acme/api') }).setProtectedHeader(JSON.parse(Buffer.from(header!, 'base64url').toString()) as { alg: string }).sign(strangerKey.privateKey);
    expect(forged.split('.')[0]).toBe(header);
    expect(payload).toBeDefined();
    await refused(forged);
    const unknown = await github.addKey({ alg: 'RS256', publish: false });
    await refused(await github.sign(githubActionsClaims('acme/api'), unknown));
    await refused('not-a-jwt');
    const logged = kipper.logs.join('\n');
    expect(logged).toMatch(/algorithm none refused/);
    expect(logged).toMatch(/algorithm HS256 refused/);
    expect(logged).toMatch(/no key of the issuer matches the token/);
  });

  it('accepts a token signed with a key the issuer rotated in: the JWKS is fetched again for an unknown kid', async () => {
    const fetches = issuers.jwksFetches.get('github') ?? 0;
    const rotated = await github.addKey({ alg: 'RS256' });
    const answer = await post(await github.sign(githubActionsClaims('acme/api'), rotated));
    expect(answer.status).toBe(202);
    expect(issuers.jwksFetches.get('github')).toBeGreaterThan(fetches);
  });

  it('deploys a git app from a GitLab-shaped token matching a wildcard trust (ES256)', async () => {
    expect((await trust('builder', gitlab.issuer, 'project_path:acme/*:ref_type:branch:ref:main')).errors).toBeUndefined();
    const answer = await post(await gitlab.sign(gitlabClaims('acme/builder')), { commit: 'b'.repeat(40) }, { app: 'builder' });
    expect(answer.status).toBe(202);
    const revision = await revisionOf((answer.body.revision as { number: number }).number, builder);
    expect(revision.triggeredBy).toBe('ci:project_path:acme/builder:ref_type:branch:ref:main');
    // Another group, or a tag pipeline: no match.
    await refused(await gitlab.sign(gitlabClaims('evil/builder')), { app: 'builder' });
    await refused(await gitlab.sign(gitlabClaims('acme/builder', 'main', { sub: 'project_path:acme/builder:ref_type:tag:ref:v1' })), { app: 'builder' });
  });

  it('charges refused tokens to the failed-authentication limits: 429 once they are spent', async () => {
    const token = await github.sign(githubActionsClaims('acme/other'));
    // At once, so the bucket's refill (one a second) cannot keep up even on a loaded machine.
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => post(token, undefined, { from: '10.77.0.1' })))).map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('leaves the shared token working unchanged: X-Kipper-Token decides when present, a bearer beside it is ignored', async () => {
    const { token } = await kipper.kipper.services.webhooks.enable(api, 'admin');
    const answer = await post('garbage', undefined, { headers: { 'x-kipper-token': token } });
    expect(answer.status).toBe(202);
    expect((await revisionOf((answer.body.revision as { number: number }).number)).triggeredBy).toBe('webhook:kipper');
  });

  it('never writes a token to the log', async () => {
    const token = await github.sign(githubActionsClaims('acme/nobody'));
    await refused(token);
    const signature = token.split('.')[2]!;
    expect(kipper.logs.some((line) => line.includes(signature))).toBe(false);
  });
});

describe('untrusting', () => {
  it('stops the identity at once, is audited, and refuses an unknown trust with WEBHOOK_TRUST_NOT_FOUND', async () => {
    const missing = await kipper.graphql(
      'mutation { untrustWebhookIssuer(app: { namespace: "shop-test", name: "api" }, issuer: "https://gitlab.com", subject: "project_path:x/y") { id } }',
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('WEBHOOK_TRUST_NOT_FOUND');
    const removed = await kipper.data<{ untrustWebhookIssuer: { subject: string }[] }>(
      'mutation($issuer: String!, $subject: String!) { untrustWebhookIssuer(app: { namespace: "shop-test", name: "api" }, issuer: $issuer, subject: $subject) { subject } }',
      { issuer: github.issuer, subject: SUBJECT },
    );
    expect(removed.untrustWebhookIssuer).toEqual([{ subject: SUBJECT }]);
    const audit = await kipper.kipper.services.dataSource.getRepository(AuditEntry).findOneByOrFail({ action: 'webhook.untrust', target: 'shop-test/api' });
    expect(audit).toMatchObject({ actor: 'admin', details: { issuer: github.issuer, subject: SUBJECT } });
    await refused(await github.sign(githubActionsClaims('acme/api')));
  });
});
