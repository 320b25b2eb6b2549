import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Revision } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { githubActionsClaims, gitlabClaims, startOidcIssuers, type LocalIssuer, type OidcIssuerServer } from '../../test/support/oidc-issuer.js';
import { runKip } from './support/kip-process.js';

/**
 * Keyless CI with the built `kip` against a real Kipper (PostgreSQL, Redis, simulator) and a
 * local OIDC issuer: trust / untrust / status in text and JSON, and the keyless snippets of
 * `kip app webhook enable --keyless` run by bash and sh as the runners do, GitHub's fetching its
 * token from a local stand-in of the Actions token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
 */
const P = ['--project', 'acme', '--environment', 'test'];
const SUBJECT = 'repo:acme/api:ref:refs/heads/main';
const REQUEST_TOKEN = 'runner-request-token';

let kipper: RunningKipper;
let configHome: string;
let issuers: OidcIssuerServer;
let github: LocalIssuer;
let gitlab: LocalIssuer;
let actions: Server;
let actionsUrl = '';
const audiencesAsked: string[] = [];

const kip = (args: string[]) => runKip(kipper, configHome, args);

/** GitHub's token endpoint as `core.getIDToken` calls it: bearer request token, `audience` parameter, answer `{"value": jwt}`. */
async function startActionsTokenEndpoint(): Promise<void> {
  actions = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `bearer ${REQUEST_TOKEN}`) {
      res.writeHead(401).end('{"message":"bad request token"}');
      return;
    }
    const audience = url.searchParams.get('audience') ?? 'https://github.com/acme';
    audiencesAsked.push(audience);
    void github.sign(githubActionsClaims('acme/api', 'refs/heads/main', { aud: audience })).then((value) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ count: 1, value }));
    });
  });
  await new Promise<void>((resolve) => actions.listen(0, '127.0.0.1', resolve));
  actionsUrl = `http://127.0.0.1:${(actions.address() as AddressInfo).port}/_apis/distributedtask/token?api-version=2.0`;
}

async function runShell(shell: string[], script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kip-keyless-'));
  const file = join(dir, 'step.sh');
  await writeFile(file, script);
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(shell[0]!, [...shell.slice(1), file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The content of the YAML literal block whose header line matches. */
function blockScalar(yaml: string, header: RegExp): string {
  const lines = yaml.split('\n');
  const at = lines.findIndex((line) => header.test(line));
  if (at === -1) throw new Error(`no block ${header} in\n${yaml}`);
  const parent = lines[at]!.search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() !== '' && line.search(/\S/) <= parent) break;
    body.push(line);
  }
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => line.search(/\S/)));
  return body.map((line) => line.slice(indent)).join('\n') + '\n';
}

/** The snippet printed under its heading by `kip app webhook enable --keyless`. */
function snippetOf(lines: string[]): string {
  const heading = lines.findIndex((line) => line.endsWith(', keyless:'));
  expect(heading).toBeGreaterThan(0);
  const end = lines.findIndex((line, i) => i > heading && line === '');
  return lines.slice(heading + 1, end).join('\n');
}

async function newestRevision(): Promise<Revision | null> {
  const [revision] = await kipper.kipper.services.dataSource.getRepository(Revision).find({ order: { createdAt: 'DESC' }, take: 1 });
  return revision ?? null;
}

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-keyless-home-'));
  issuers = await startOidcIssuers();
  github = await issuers.issuer('github');
  gitlab = await issuers.issuer('gitlab');
  await github.addKey();
  await gitlab.addKey({ alg: 'ES256' });
  await startActionsTokenEndpoint();
  kipper = await startKipper({ env: { KIPPER_CI_ISSUER_ALLOW_PRIVATE: 'true' } });
  await kipper.kipper.services.projects.create({ name: 'acme', environments: ['test'] }, 'admin');
  await kipper.kipper.services.apps.deploy({ project: 'acme', environment: 'test', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'admin');
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await issuers?.close();
  await new Promise((resolve) => actions?.close(resolve));
  await rm(configHome, { recursive: true, force: true });
});

describe('kip app webhook trust / untrust / status', () => {
  it('refuses a wrong issuer with its reason and exit code 1, changing nothing', async () => {
    const r = await kip(['app', 'webhook', 'trust', 'api', ...P, '--issuer', 'http://token.example.com', '--subject', SUBJECT]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/issuer must start with https:\/\//);
    const wild = await kip(['app', 'webhook', 'trust', 'api', ...P, '--issuer', github.issuer, '--subject', 'repo:*', '-o', 'json']);
    expect(wild.code).toBe(1);
    expect((JSON.parse(wild.err) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    expect(await kipper.kipper.services.webhookTrusts.list((await kipper.kipper.services.apps.resolve({ name: 'api' })).id)).toEqual([]);
    const usage = await kip(['app', 'webhook', 'trust', 'api', ...P, '--issuer', github.issuer]);
    expect(usage.code).toBe(2);
  });

  it('trusts a CI identity (text), and lists it in kip app webhook status', async () => {
    const r = await kip(['app', 'webhook', 'trust', 'api', ...P, '--issuer', github.issuer, '--subject', SUBJECT]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      '✔ Webhook of api trusts this CI identity:',
      `  issuer:   ${github.issuer}`,
      `  subject:  ${SUBJECT}`,
      '  audience: kipper',
      'Its OIDC tokens deploy api with Authorization: Bearer; each token once.',
      'Snippet: kip app webhook enable api --project acme --environment test --ci github --keyless',
    ]);
    const status = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(status.code).toBe(0);
    expect(status.lines).toContain('Trusted CI identities (keyless CI, Authorization: Bearer): 1');
    expect(status.lines).toContain(`    subject:  ${SUBJECT}`);
    const json = JSON.parse((await kip(['app', 'webhook', 'status', 'api', ...P, '-o', 'json'])).out) as { enabled: boolean; trusts: { issuer: string; subject: string; audience: string }[] };
    expect(json.enabled).toBe(false);
    expect(json.trusts).toEqual([expect.objectContaining({ issuer: github.issuer, subject: SUBJECT, audience: 'kipper', createdBy: 'admin' })]);
  });

  it('trusts a GitLab identity with -o json', async () => {
    const r = await kip(['app', 'webhook', 'trust', 'api', ...P, '--issuer', gitlab.issuer, '--subject', 'project_path:acme/api:ref_type:branch:ref:main', '-o', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { app: string; trust: { id: string; issuer: string; subject: string; audience: string } };
    expect(json).toMatchObject({ app: 'api', trust: { issuer: gitlab.issuer, subject: 'project_path:acme/api:ref_type:branch:ref:main', audience: 'kipper' } });
  });
});

describe('kip app webhook enable --keyless', () => {
  it('prints the GitHub Actions keyless step and the trust line, issues no token, and the step deploys with the runner\'s OIDC token', async () => {
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'github', '--keyless']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Keyless CI for api: the pipeline\'s OIDC token, no shared secret');
    expect(r.lines[1]).toMatch(/^Webhook URL: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/webhook\/acme-test\/api$/);
    expect(r.lines[2]).toBe('GitHub Actions snippet (.github/workflows/deploy.yml), keyless:');
    expect(r.lines).toContain("  kip app webhook trust api --project acme --environment test --issuer https://token.actions.githubusercontent.com --subject 'repo:OWNER/REPO:ref:refs/heads/main'");
    const yaml = snippetOf(r.lines);
    expect(yaml).toContain('#   id-token: write');
    expect(yaml).toContain('&audience=kipper');
    expect(yaml).toContain('curl --fail-with-body -sS -X POST');
    expect(yaml).toContain('-H "Authorization: Bearer $KIPPER_ID_TOKEN"');
    expect(yaml).not.toContain('KIPPER_WEBHOOK_TOKEN');
    // No token was issued or regenerated.
    expect((await kipper.kipper.services.webhooks.status(await kipper.kipper.services.apps.resolve({ name: 'api' }))).enabled).toBe(false);

    const sha = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';
    const run = await runShell(['bash', '--noprofile', '--norc', '-eo', 'pipefail'], blockScalar(yaml, /^ {2}run: \|$/), {
      ACTIONS_ID_TOKEN_REQUEST_URL: actionsUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
      GITHUB_REPOSITORY: 'Acme/API',
      GITHUB_SHA: sha,
    });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('"status":"queued"');
    expect(audiencesAsked.at(-1)).toBe('kipper');
    expect(await newestRevision()).toMatchObject({ image: `ghcr.io/acme/api:${sha}`, triggeredBy: `ci:${SUBJECT}` });
    // Without id-token: write the runner has no request URL: the step fails loudly.
    const without = await runShell(['bash', '--noprofile', '--norc', '-eo', 'pipefail'], blockScalar(yaml, /^ {2}run: \|$/), { GITHUB_REPOSITORY: 'acme/api', GITHUB_SHA: sha });
    expect(without.code).not.toBe(0);
  });

  it('prints the GitLab keyless job (id_tokens), which deploys with the job\'s ID token, in sh', async () => {
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'gitlab', '--keyless']);
    expect(r.code).toBe(0);
    const yaml = snippetOf(r.lines);
    expect(yaml).toMatch(/^deploy:\n {2}stage: deploy\n {2}id_tokens:\n {4}KIPPER_ID_TOKEN:\n {6}aud: kipper\n {2}script:\n/);
    expect(r.lines).toContain("  kip app webhook trust api --project acme --environment test --issuer https://gitlab.com --subject 'project_path:GROUP/PROJECT:ref_type:branch:ref:main'");
    expect(r.lines).toContain('api trusts these 2 CI identities:');
    // The runner puts the ID token into KIPPER_ID_TOKEN (id_tokens) before the script runs.
    const token = await gitlab.sign(gitlabClaims('acme/api'));
    const run = await runShell(['sh'], blockScalar(yaml, /^ {4}- \|$/), { KIPPER_ID_TOKEN: token, CI_REGISTRY_IMAGE: 'registry.gitlab.com/acme/api', CI_COMMIT_SHORT_SHA: 'abc1234' });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(await newestRevision()).toMatchObject({ image: 'registry.gitlab.com/acme/api:abc1234', triggeredBy: 'ci:project_path:acme/api:ref_type:branch:ref:main' });
    // The same job run again with the same token (a retried job keeps it): refused, the job fails.
    const again = await runShell(['sh'], blockScalar(yaml, /^ {4}- \|$/), { KIPPER_ID_TOKEN: token, CI_REGISTRY_IMAGE: 'registry.gitlab.com/acme/api', CI_COMMIT_SHORT_SHA: 'abc1235' });
    expect(again.code).not.toBe(0);
    expect(again.out).toContain('"code":"UNAUTHENTICATED"');
  });

  it('answers -o json with the snippets, the trusts and the trust command', async () => {
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'github', '--keyless', '--audience', 'kipper-prod', '-o', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { keyless: boolean; audience: string; snippets: { githubActions: string; gitlabCi: string }; trusts: unknown[]; trustCommand: string };
    expect(json).toMatchObject({ keyless: true, audience: 'kipper-prod' });
    expect(json.snippets.githubActions).toContain('&audience=kipper-prod');
    expect(json.snippets.gitlabCi).toContain('aud: kipper-prod');
    expect(json.trusts).toHaveLength(2);
    expect(json.trustCommand).toMatch(/--audience kipper-prod$/);
  });
});

describe('kip app webhook untrust', () => {
  it('removes a trust by issuer and subject (text) and by id (json); an unknown one fails with exit 1', async () => {
    const r = await kip(['app', 'webhook', 'untrust', 'api', ...P, '--issuer', github.issuer, '--subject', SUBJECT]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['✔ Webhook of api no longer trusts this CI identity:', `  issuer:   ${github.issuer}`, `  subject:  ${SUBJECT}`, '  audience: kipper', 'Its tokens are refused from now on.']);
    const again = await kip(['app', 'webhook', 'untrust', 'api', ...P, '--issuer', github.issuer, '--subject', SUBJECT]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/has no trust of issuer/);
    const status = JSON.parse((await kip(['app', 'webhook', 'status', 'api', ...P, '-o', 'json'])).out) as { trusts: { id: string }[] };
    expect(status.trusts).toHaveLength(1);
    const byId = await kip(['app', 'webhook', 'untrust', 'api', ...P, '--id', status.trusts[0]!.id, '-o', 'json']);
    expect(byId.code).toBe(0);
    expect((JSON.parse(byId.out) as { removed: { id: string }[] }).removed.map((t) => t.id)).toEqual([status.trusts[0]!.id]);
    const usage = await kip(['app', 'webhook', 'untrust', 'api', ...P, '--issuer', github.issuer]);
    expect(usage.code).toBe(2);
    expect((await kip(['app', 'webhook', 'status', 'api', ...P])).lines).toContain(
      'Trusted CI identities: none (keyless CI: kip app webhook trust api --project acme --environment test --issuer URL --subject PATTERN)',
    );
  });
});
