import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/program.js';
import { apiError, startFakeKipper, type FakeKipper } from './support/fake-kipper.js';
import { ago, gitlabSnippet, githubSnippet, gitlabWaitSnippet, githubWaitSnippet, HOUR, MIN, NOW, revision, seedHistory, TOKEN_64, type FakeRevision } from './support/fixtures.js';
import { captureIo } from './support/io.js';

let fake: FakeKipper;

interface Run {
  code: number;
  out: string;
  err: string;
  lines: string[];
}

async function kip(args: string[], options: { tty?: boolean; env?: Record<string, string | undefined>; stdin?: string } = {}): Promise<Run> {
  const io = captureIo({
    env: { KIPPER_SERVER: fake.url, KIPPER_TOKEN: fake.token, XDG_CONFIG_HOME: '/nonexistent/kip-test', ...options.env },
    tty: options.tty ?? false,
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    now: NOW,
  });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err(), lines: io.out().replace(/\n$/, '').split('\n') };
}

const P = ['--project', 'yourr-name', '--environment', 'test'];
const WEBHOOK_URL = 'http://127.0.0.1:8080/api/v1/webhook/yourr-name-test/api';
const calls = (name: string) => fake.calls.filter((c) => c.operationName === name);
const PIN = { revision: { number: 3, image: 'registry.example.com/api:abc123f' }, by: 'alice', at: '2026-01-15T11:58:00.000Z' };
const HELD_REASON = 'Revision #5 is held: api is pinned to revision #3 (rolled back by alice at 2026-01-15 11:58:00 UTC). Run kip app unpin api to deploy it.';

function appObject(extra: Record<string, unknown> = {}) {
  return {
    name: 'api',
    namespace: 'yourr-name-test',
    source: 'IMAGE',
    image: 'registry.example.com/api:ghi789b',
    gitUrl: null,
    gitBranch: null,
    port: 3000,
    replicas: 3,
    host: null,
    deployPolicy: 'LATEST',
    autoRollback: true,
    driftPolicy: 'REPAIR',
    health: null,
    pin: null,
    drift: null,
    webhookSecretMissing: null,
    project: { name: 'yourr-name' },
    environment: { name: 'test', position: 0, next: { name: 'acc', namespace: 'yourr-name-acc' } },
    webhook: { enabled: false, url: WEBHOOK_URL, createdAt: null, rotatedAt: null, trusts: [] },
    currentRevision: seedHistory[0],
    revisions: ({ first }: { first: number }) => ({
      nodes: seedHistory.slice(0, first),
      pageInfo: { hasNextPage: first < seedHistory.length, endCursor: null },
      totalCount: seedHistory.length,
    }),
    revision: ({ number }: { number: number }) => seedHistory.find((r) => r.number === number) ?? null,
    deliveries: [],
    builds: [],
    ...extra,
  };
}

const secret = (enabled = true) => ({
  url: WEBHOOK_URL,
  token: TOKEN_64,
  snippets: { gitlabCi: gitlabSnippet, githubActions: githubSnippet, gitlabCiWait: gitlabWaitSnippet, githubActionsWait: githubWaitSnippet },
  webhook: { enabled, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null, trusts: [] },
});

beforeAll(async () => {
  fake = await startFakeKipper();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  for (const key of Object.keys(fake.root)) delete fake.root[key];
  fake.root.app = () => appObject();
});

describe('kip app webhook', () => {
  it('enable prints the seed lines: ✔ line, URL, 64-hex token, GitLab CI snippet', async () => {
    fake.root.enableWebhook = () => secret();
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines.slice(0, 4)).toEqual([
      '✔ Webhook enabled for api',
      `Webhook URL: ${WEBHOOK_URL}`,
      `Secret token: ${TOKEN_64}`,
      'GitLab CI snippet (.gitlab-ci.yml):',
    ]);
    expect(r.lines[2]).toMatch(/^Secret token: [0-9a-f]{64}$/);
    expect(r.out).toContain(gitlabSnippet);
    expect(r.out).not.toContain('regenerated');
    expect(calls('EnableWebhook')[0]!.variables).toEqual({ app: { name: 'api', project: 'yourr-name', environment: 'test' } });
    expect(calls('EnableWebhook')[0]!.authorization).toBe(`Bearer ${fake.token}`);
  });

  it('enable on an enabled webhook says the old token stopped working; --ci github prints the Actions snippet', async () => {
    fake.root.app = () => appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(HOUR), rotatedAt: null, trusts: [] } });
    fake.root.enableWebhook = () => secret();
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'github']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('GitHub Actions snippet (.github/workflows/deploy.yml):\n- name: Deploy to Kipper');
    expect(r.out).toContain('The token was regenerated: the previous one no longer works.');
  });

  it('enable --wait prints the snippet that waits for the rollout; without it, a line points to --wait', async () => {
    fake.root.enableWebhook = () => secret();
    const plain = await kip(['app', 'webhook', 'enable', 'api', ...P]);
    expect(plain.lines.at(-1)).toBe('Add --wait for a snippet whose job also waits for the rollout and fails when it fails.');
    const gitlab = await kip(['app', 'webhook', 'enable', 'api', ...P, '--wait']);
    expect(gitlab.code).toBe(0);
    expect(gitlab.out).toContain(`GitLab CI snippet (.gitlab-ci.yml), waiting for the rollout:\n${gitlabWaitSnippet}`);
    expect(gitlab.out).not.toContain('Add --wait');
    const github = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'github', '--wait']);
    expect(github.code).toBe(0);
    expect(github.out).toContain(`GitHub Actions snippet (.github/workflows/deploy.yml), waiting for the rollout:\n${githubWaitSnippet}\n`);
    const none = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'none', '--wait']);
    expect(none.lines).toEqual(['✔ Webhook enabled for api', `Webhook URL: ${WEBHOOK_URL}`, `Secret token: ${TOKEN_64}`]);
  });

  it('status prints URL and token when enabled', async () => {
    fake.root.app = () => appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null, trusts: [] } });
    fake.root.webhookSecret = () => secret();
    const r = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Webhook for api (yourr-name-test): enabled, token from 2 hours ago',
      `Webhook URL: ${WEBHOOK_URL}`,
      `Secret token: ${TOKEN_64}`,
      'Trusted CI identities: none (keyless CI: kip app webhook trust api --project yourr-name --environment test --issuer URL --subject PATTERN)',
    ]);
  });

  it('status does not fail when the webhook Secret is gone: it says what to run', async () => {
    const MISSING = 'webhook Secret missing: run kip app webhook enable api to issue a new token';
    fake.root.app = () =>
      appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null, secretMissingSince: ago(MIN), trusts: [] }, webhookSecretMissing: MISSING });
    fake.root.webhookSecret = () => {
      throw new Error('not asked while the flag is set');
    };
    const r = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Webhook for api (yourr-name-test): enabled, token from 2 hours ago',
      `Webhook URL: ${WEBHOOK_URL}`,
      'Secret token: unavailable',
      `Warning: ${MISSING}`,
      'Until then X-Kipper-Token and X-Gitlab-Token still work with the old token; GitHub signatures are refused.',
      'Trusted CI identities: none (keyless CI: kip app webhook trust api --project yourr-name --environment test --issuer URL --subject PATTERN)',
    ]);
    expect(calls('WebhookSecret')).toEqual([]);
    const json = JSON.parse((await kip(['app', 'webhook', 'status', 'api', ...P, '-o', 'json'])).out) as Record<string, unknown>;
    expect(json).toMatchObject({ enabled: true, token: null, secretMissing: MISSING, secretMissingSince: expect.any(String) });

    // Gone before the reconciler noticed: the API's refusal is shown the same way.
    fake.root.app = () => appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null, trusts: [] } });
    fake.root.webhookSecret = () => {
      throw apiError('WEBHOOK_SECRET_MISSING', 'The webhook Secret api-webhook in namespace yourr-name-test is missing or no longer matches: run `kip app webhook enable api` to issue a new token');
    };
    const gone = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(gone.code).toBe(0);
    expect(gone.lines[3]).toBe('Warning: The webhook Secret api-webhook in namespace yourr-name-test is missing or no longer matches: run `kip app webhook enable api` to issue a new token');
  });

  it('status says how to enable a disabled webhook', async () => {
    fake.root.webhookSecret = () => null;
    const r = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Webhook for api (yourr-name-test): not enabled',
      'Enable it with: kip app webhook enable api --project yourr-name --environment test',
      'Trusted CI identities: none (keyless CI: kip app webhook trust api --project yourr-name --environment test --issuer URL --subject PATTERN)',
    ]);
  });

  it('disable', async () => {
    fake.root.disableWebhook = () => ({ enabled: false, url: WEBHOOK_URL, createdAt: null, rotatedAt: null });
    const r = await kip(['app', 'webhook', 'disable', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Webhook disabled for api');
  });

  it('--output json gives the same facts', async () => {
    fake.root.enableWebhook = () => secret();
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--output', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      app: 'api',
      namespace: 'yourr-name-test',
      enabled: true,
      url: WEBHOOK_URL,
      token: TOKEN_64,
      snippets: { gitlabCi: gitlabSnippet },
    });
  });
});

describe('kip app history', () => {
  it('prints the seed table', async () => {
    const r = await kip(['app', 'history', 'api', ...P]);
    expect(r.err).toBe('');
    expect(r.lines.map((l) => l.replace(/ +/g, ' '))).toEqual([
      '# IMAGE COMMIT TRIGGER WHEN',
      '3 registry.example.com/api:abc123f abc123f webhook 2 min ago (current)',
      '2 registry.example.com/api:def456a def456a webhook 1 hour ago',
      '1 registry.example.com/api:ghi789b ghi789b manual 3 hours ago',
    ]);
    expect(r.lines[0]).toBe('#  IMAGE                             COMMIT   TRIGGER  WHEN');
    expect(calls('History')[0]!.variables).toEqual({ app: { name: 'api', project: 'yourr-name', environment: 'test' }, first: 20, after: null });
  });

  it('--output json lists the revisions with lower-case enums', async () => {
    const r = await kip(['app', 'history', 'api', ...P, '-o', 'json']);
    const json = JSON.parse(r.out) as { revisions: { number: number; trigger: string; status: string; current: boolean }[] };
    expect(json.revisions.map((x) => [x.number, x.trigger, x.status, x.current])).toEqual([
      [3, 'webhook', 'live', true],
      [2, 'webhook', 'live', false],
      [1, 'manual', 'live', false],
    ]);
  });

  it('WHEN is when a revision went live or ended, not when it was asked for', async () => {
    // Created 9 min ago, live just now: it reads "just now (current)".
    const justLive = revision({ number: 4, status: 'LIVE', current: true, image: 'registry.example.com/api:new', createdAt: ago(9 * MIN), finishedAt: ago(10_000) });
    const failed = revision({ number: 3, status: 'FAILED', createdAt: ago(HOUR + 5 * MIN), finishedAt: ago(HOUR) });
    const queued = revision({ number: 5, status: 'QUEUED', createdAt: ago(2 * MIN) });
    fake.root.app = () => appObject({ revisions: () => ({ nodes: [queued, justLive, failed], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 3 }) });
    const r = await kip(['app', 'history', 'api', ...P]);
    expect(r.lines.slice(1).map((l) => l.replace(/ +/g, ' '))).toEqual([
      '5 registry.example.com/api:rev5 - manual 2 min ago (queued)',
      '4 registry.example.com/api:new - manual just now (current)',
      '3 registry.example.com/api:rev3 - manual 1 hour ago (failed)',
    ]);
  });

  it('says when there is more', async () => {
    const r = await kip(['app', 'history', 'api', ...P, '--limit', '2']);
    expect(r.lines.at(-1)).toBe('Showing 2 of 3 revisions; use --limit to see more.');
  });
});

describe('kip app rollback', () => {
  const rollback = (to: number, image: string) =>
    revision({ number: 4, trigger: 'ROLLBACK', status: 'QUEUED', rollbackTo: to, image, createdAt: NOW.toISOString() });

  it('without --revision goes where the API says and names that revision', async () => {
    fake.root.rollbackApp = () => rollback(2, 'registry.example.com/api:def456a');
    const r = await kip(['app', 'rollback', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      '✔ Rolled back api to revision #2 (registry.example.com/api:def456a)',
      'Deploying it as revision #4.',
      'api is pinned to revision #4: webhooks and git pushes are held until kip app unpin api.',
    ]);
    expect(calls('RollbackApp')[0]!.variables).toMatchObject({ revision: null, pin: true });
  });

  it('--no-pin asks for no pin and says nothing of one', async () => {
    fake.root.rollbackApp = () => rollback(2, 'registry.example.com/api:def456a');
    const r = await kip(['app', 'rollback', 'api', '--no-pin', ...P]);
    expect(r.lines).toEqual(['✔ Rolled back api to revision #2 (registry.example.com/api:def456a)', 'Deploying it as revision #4.']);
    expect(calls('RollbackApp')[0]!.variables).toMatchObject({ pin: false });
    const json = JSON.parse((await kip(['app', 'rollback', 'api', '--no-pin', ...P, '-o', 'json'])).out) as Record<string, unknown>;
    expect(json).toMatchObject({ pinned: false, rolledBackTo: 2 });
  });

  it('with --revision N sends N', async () => {
    fake.root.rollbackApp = ({ revision: n }) => rollback(n as number, 'registry.example.com/api:ghi789b');
    const r = await kip(['app', 'rollback', 'api', '--revision', '1', ...P]);
    expect(r.lines[0]).toBe('✔ Rolled back api to revision #1 (registry.example.com/api:ghi789b)');
    expect(calls('RollbackApp')[0]!.variables).toMatchObject({ revision: 1 });
  });

  it('an API error is printed with its message on stderr, exit 1, no stack trace', async () => {
    fake.root.rollbackApp = () => {
      throw apiError('NO_ROLLBACK_TARGET', 'api has no earlier live revision with a different image.');
    };
    const r = await kip(['app', 'rollback', 'api', ...P]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('Error: api has no earlier live revision with a different image.\n');
  });

  it('with --output json an error is a JSON object on stderr', async () => {
    fake.root.rollbackApp = () => {
      throw apiError('REVISION_NOT_FOUND', 'api has no revision #9.');
    };
    const r = await kip(['app', 'rollback', 'api', '--revision', '9', ...P, '-o', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err)).toEqual({ error: { code: 'REVISION_NOT_FOUND', message: 'api has no revision #9.' } });
  });
});

describe('app resolution', () => {
  it('a bare name is sent alone and AMBIGUOUS_APP is shown as the API words it', async () => {
    fake.root.app = () => {
      throw apiError('AMBIGUOUS_APP', 'App api exists in several namespaces: yourr-name-test, yourr-name-acc. Give --project and --environment.');
    };
    const r = await kip(['app', 'history', 'api']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('yourr-name-test, yourr-name-acc');
    expect(calls('History')[0]!.variables).toMatchObject({ app: { name: 'api' } });
  });

  it('--namespace is accepted; with --project it is a usage error', async () => {
    await kip(['app', 'history', 'api', '--namespace', 'yourr-name-test']);
    expect(calls('History')[0]!.variables).toMatchObject({ app: { name: 'api', namespace: 'yourr-name-test' } });
    const r = await kip(['app', 'history', 'api', '--namespace', 'x', '--project', 'y']);
    expect(r.code).toBe(2);
  });

  it('an unknown app is a clear error', async () => {
    fake.root.app = () => null;
    const r = await kip(['app', 'status', 'nope', ...P]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: App nope not found in yourr-name/test.\n');
  });
});

describe('kip project', () => {
  it('create prints a ✔ line per namespace and the pipeline', async () => {
    fake.root.createProject = ({ input }) => {
      const { name, environments } = input as { name: string; environments: string[] };
      return {
        name,
        displayName: name,
        createdAt: NOW.toISOString(),
        environments: environments.map((e, position) => ({ name: e, position, namespace: `${name}-${e}` })),
      };
    };
    const r = await kip(['project', 'create', 'yourr-name']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      '✔ Project yourr-name created',
      '✔ Namespace yourr-name-test ready',
      '✔ Namespace yourr-name-acc ready',
      '✔ Namespace yourr-name-prod ready',
      'Promotion pipeline: test → acc → prod',
    ]);
    const r2 = await kip(['project', 'create', 'shop', '--environments', 'dev, prod', '--display-name', 'Shop']);
    expect(r2.lines.at(-1)).toBe('Promotion pipeline: dev → prod');
    expect(calls('CreateProject')[1]!.variables).toEqual({ input: { name: 'shop', environments: ['dev', 'prod'], displayName: 'Shop' } });
  });
});

describe('kip app promote', () => {
  const promoted = () =>
    revision({
      number: 7,
      trigger: 'PROMOTION',
      status: 'QUEUED',
      image: 'registry.example.com/api:abc123f',
      promotedFrom: { namespace: 'yourr-name-test', environment: 'test', app: 'api', revision: 3 },
      app: { name: 'api', namespace: 'yourr-name-acc', environment: { name: 'acc' } },
    });

  it('needs --yes when not on a terminal (usage, exit 2) and sends nothing', async () => {
    const r = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test', '--to', 'acc']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--yes');
    expect(fake.calls).toEqual([]);
  });

  it('with --yes promotes', async () => {
    fake.root.promoteApp = () => promoted();
    const r = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test', '--to', 'acc', '--yes']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Promoted api from test to acc: registry.example.com/api:abc123f (revision #3 in test)');
    expect(calls('PromoteApp')[0]!.variables).toEqual({ app: { name: 'api', namespace: 'yourr-name-test' }, to: 'acc' });
  });

  it('asks on a terminal', async () => {
    fake.root.promoteApp = () => promoted();
    const yes = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test'], { tty: true, stdin: 'y\n', env: { NO_COLOR: '1' } });
    expect(yes.out).toContain('Promote api from test to acc? [y/N] ');
    expect(yes.code).toBe(0);
    const no = await kip(['app', 'promote', 'api', '--project', 'yourr-name', '--from', 'test'], { tty: true, stdin: '\n' });
    expect(no.code).toBe(1);
    expect(no.out).toContain('Promotion cancelled.');
    expect(calls('PromoteApp')).toHaveLength(1);
  });
});

describe('usage errors exit 2, failures exit 1', () => {
  it.each([
    [['app', 'history']],
    [['app', 'history', 'api', '--bogus']],
    [['app', 'deploy', '--name', 'api', '--image', 'x:1', '--port', 'abc']],
    [['app', 'deploy', '--name', 'api', '--image', 'x:1', '--git', 'https://g/x.git', '--port', '80']],
    [['app', 'deploy', '--name', 'api', '--image', 'x:1']],
    [['app', 'deploy', '--name', 'api', '--image', 'x:1', '--port', '80', '--env', 'NOVALUE']],
    [['app', 'history', 'api', '--output', 'yaml']],
    [['app', 'rollback', 'api', '--revision', 'two']],
    [['app']],
    [['nope']],
  ])('kip %j', async (args) => {
    const r = await kip(args);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(fake.calls).toEqual([]);
  });

  it('--help and --version exit 0 and list commands one line each', async () => {
    const help = await kip(['app', '--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['deploy', 'update', 'history', 'rollback', 'unpin', 'cancel', 'set', 'scale', 'env', 'diff', 'delete', 'promote', 'rebuild', 'build-logs', 'status', 'deliveries', 'webhook']) {
      expect(help.out).toMatch(new RegExp(`^  ${cmd}\\b.*\\S$`, 'm'));
    }
    expect(help.out).not.toMatch(/^ {20,}\S/m);
    expect((await kip(['--version'])).code).toBe(0);
  });

  it('a refused token is said in plain words', async () => {
    const r = await kip(['app', 'history', 'api', ...P], { env: { KIPPER_TOKEN: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Error: The API token was refused (the token came from KIPPER_TOKEN). Run \`kip login --server ${fake.url} --token TOKEN\`.\n`,
    );
  });

  it('an unreachable server is said in plain words', async () => {
    const r = await kip(['app', 'history', 'api', ...P], { env: { KIPPER_SERVER: 'http://127.0.0.1:59999' } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: Cannot reach Kipper at http:\/\/127\.0\.0\.1:59999: .*ECONNREFUSED/);
  });

  it('a server that is not Kipper is said in plain words', async () => {
    const r = await kip(['app', 'history', 'api', ...P], { env: { KIPPER_SERVER: `${fake.url}/elsewhere` } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('answered HTTP 404 without a GraphQL result');
  });

  it('no token at all is a usage error', async () => {
    const r = await kip(['app', 'history', 'api', ...P], { env: { KIPPER_TOKEN: undefined } });
    expect(r.code).toBe(2);
    expect(r.err).toContain('kip login --server URL --token TOKEN');
  });
});

describe('colour', () => {
  it('only on a terminal and never with NO_COLOR', async () => {
    fake.root.disableWebhook = () => ({ enabled: false, url: WEBHOOK_URL, createdAt: null, rotatedAt: null });
    const tty = await kip(['app', 'webhook', 'disable', 'api', ...P], { tty: true });
    expect(tty.out).toContain('\u001b[32m✔\u001b[39m Webhook disabled for api');
    const noColor = await kip(['app', 'webhook', 'disable', 'api', ...P], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.out).toContain('✔ Webhook disabled for api');
    expect(noColor.out).not.toContain('\u001b[');
    const piped = await kip(['app', 'webhook', 'disable', 'api', ...P]);
    expect(piped.out).not.toContain('\u001b[');
  });
});

describe('--wait', () => {
  /** A revision whose state the fake moves on, publishing appEvents as it goes. */
  function rollout(steps: Partial<FakeRevision>[], options: { publish?: boolean } = {}) {
    let state = revision({ number: 4, status: 'QUEUED', image: 'registry.example.com/api:new', createdAt: NOW.toISOString() });
    const subscribedBeforeMutation: boolean[] = [];
    fake.root.app = () => appObject({ revision: ({ number }: { number: number }) => (number === 4 ? state : null) });
    fake.root.updateImage = () => {
      subscribedBeforeMutation.push(fake.subscribers('appEvents') > 0);
      const initial = state;
      let delay = 20;
      for (const step of steps) {
        setTimeout(() => {
          state = { ...state, ...step };
          if (options.publish !== false) {
            fake.publish('appEvents', { type: step.status ?? 'PROGRESS', at: NOW.toISOString(), namespace: 'yourr-name-test', app: 'api', message: null, revision: state });
          }
        }, (delay += 30));
      }
      return initial;
    };
    return { subscribedBeforeMutation };
  }

  it('subscribes first, prints a line per change and exits 0 when live', async () => {
    const { subscribedBeforeMutation } = rollout([
      { status: 'ROLLING_OUT', progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 3 } },
      { status: 'ROLLING_OUT', progress: { updated: 3, ready: 2, desired: 3, available: 2, old: 1 } },
      { status: 'ROLLING_OUT', progress: { updated: 3, ready: 2, desired: 3, available: 2, old: 1 } },
      { status: 'LIVE', current: true, progress: { updated: 3, ready: 3, desired: 3, available: 3, old: 0 } },
    ]);
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(subscribedBeforeMutation).toEqual([true]);
    expect(r.lines).toEqual([
      '✔ Updating api to registry.example.com/api:new (revision #4)',
      'Revision #4 queued',
      'Revision #4 rolling out: 1/3 updated, 0 ready, 3 old pods serving',
      'Revision #4 rolling out: 3/3 updated, 2 ready, 1 old pod serving',
      '✔ Revision #4 is live',
    ]);
    expect(calls('AppEvents')[0]!.kind).toBe('subscribe');
  });

  it('exits 1 with the failure reason when the rollout fails', async () => {
    rollout([
      { status: 'ROLLING_OUT', progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 0 } },
      { status: 'FAILED', failureReason: 'ImagePullBackOff: registry.example.com/api:new not found' },
    ]);
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: Revision #4 failed: ImagePullBackOff: registry.example.com/api:new not found\n');
  });

  it('exits 1 when superseded', async () => {
    rollout([{ status: 'SUPERSEDED' }]);
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ revision: { number: 4, status: 'superseded' } });
    expect(r.err).toContain('superseded');
  });

  it('finds the end by reading the revision when no event comes', async () => {
    rollout([{ status: 'LIVE', current: true }], { publish: false });
    // No event arrives: the check right after the mutation or the polling that follows finds it.
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait', '--timeout', '20']);
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toBe('✔ Revision #4 is live');
  }, 20_000);

  it('gives up after --timeout', async () => {
    rollout([{ status: 'ROLLING_OUT', progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 0 } }]);
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Gave up waiting after 1s: Revision #4 rolling out: 1/3 updated, 0 ready');
  });
});

describe('other commands', () => {
  it('app status shows current, in progress and webhook', async () => {
    const inProgress = revision({ number: 4, status: 'ROLLING_OUT', progress: { updated: 2, ready: 1, desired: 3, available: 1, old: 0 }, image: 'registry.example.com/api:new' });
    fake.root.app = () =>
      appObject({
        revisions: () => ({ nodes: [inProgress, ...seedHistory], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 4 }),
      });
    const r = await kip(['app', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Current:     #3 registry.example.com/api:abc123f (abc123f, webhook), live since 2 min ago');
    // The image that runs now, not the one the app was created with (ghi789b).
    expect(r.out).toContain('Source:      image registry.example.com/api:abc123f\n');
    expect(r.out).toContain('In progress: Revision #4 rolling out: 2/3 updated, 1 ready (registry.example.com/api:new, manual)');
    expect(r.out).toContain('Health:      not observed yet');
    expect(r.out).not.toContain('Pin:');
    expect(r.out).toContain('Webhook:     not enabled (kip app webhook enable api --project yourr-name --environment test)');
  });

  it('app deliveries lists outcomes', async () => {
    fake.root.app = () =>
      appObject({
        deliveries: [
          { id: '2', receivedAt: ago(MIN), source: 'GITLAB', event: 'push', outcome: 'DUPLICATE', statusCode: 200, message: 'already seen', revision: null },
          { id: '1', receivedAt: ago(2 * MIN), source: 'KIPPER', event: 'deploy', outcome: 'ACCEPTED', statusCode: 202, message: null, revision: seedHistory[0] },
        ],
      });
    const r = await kip(['app', 'deliveries', 'api', ...P]);
    expect(r.lines.map((l) => l.replace(/ +/g, ' '))).toEqual([
      'WHEN SOURCE EVENT STATUS OUTCOME REVISION MESSAGE',
      '1 min ago gitlab push 200 duplicate - already seen',
      '2 min ago kipper deploy 202 accepted #3',
    ]);
  });

  it('app deploy sends the input and prints the first revision', async () => {
    fake.root.deployApp = ({ input }) => {
      const i = input as Record<string, unknown>;
      return appObject({
        image: i.image,
        revisions: () => ({ nodes: [revision({ number: 1, status: 'QUEUED', image: i.image as string })], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 1 }),
      });
    };
    const r = await kip(['app', 'deploy', '--name', 'api', '--image', 'nginx:1.27', '--port', '3000', '--env', 'A=1', '--env', 'B=x=y', ...P]);
    expect(r.err).toBe('');
    expect(r.lines).toEqual(['✔ App api created in yourr-name-test', 'Image: nginx:1.27', 'Revision #1 queued']);
    expect(calls('DeployApp')[0]!.variables).toEqual({
      input: {
        name: 'api',
        project: 'yourr-name',
        environment: 'test',
        image: 'nginx:1.27',
        port: 3000,
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'x=y' },
        ],
      },
    });
  });

  it('project list and app list', async () => {
    fake.root.projects = () => [
      { name: 'yourr-name', displayName: 'Yourr', createdAt: NOW.toISOString(), environments: [{ name: 'acc', position: 1, namespace: 'yourr-name-acc' }, { name: 'test', position: 0, namespace: 'yourr-name-test' }] },
    ];
    fake.root.apps = () => [appObject()];
    expect((await kip(['project', 'list'])).lines[1]!.replace(/ +/g, ' ')).toBe('yourr-name Yourr test → acc');
    const list = await kip(['app', 'list']);
    expect(list.lines[0]!.replace(/ +/g, ' ')).toBe('NAME NAMESPACE SOURCE REVISION STATUS HEALTH IMAGE');
    expect(list.lines[1]!.replace(/ +/g, ' ')).toBe('api yourr-name-test image #3 live - registry.example.com/api:abc123f');
    fake.root.apps = () => [appObject({ health: { status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping', since: ago(MIN) }, pin: PIN })];
    expect((await kip(['app', 'list'])).lines[1]!.replace(/ +/g, ' ')).toBe('api yourr-name-test image #3 live Degraded (pinned) registry.example.com/api:abc123f');
    // Environments in pipeline order (test, acc, prod), not alphabetical; the status words are the console's.
    const failedOnly = revision({ number: 1, status: 'FAILED', image: 'registry.example.com/web:broken' });
    const inEnvironment = (name: string, position: number, extra: Record<string, unknown> = {}) =>
      appObject({ namespace: `yourr-name-${name}`, environment: { name, position, next: null }, ...extra });
    fake.root.apps = () => [
      inEnvironment('acc', 1),
      inEnvironment('prod', 2),
      inEnvironment('test', 0, {
        name: 'web',
        currentRevision: null,
        revisions: () => ({ nodes: [failedOnly], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 1 }),
      }),
      inEnvironment('test', 0),
    ];
    const ordered = (await kip(['app', 'list'])).lines.slice(1).map((l) => l.replace(/ +/g, ' '));
    expect(ordered).toEqual([
      'api yourr-name-test image #3 live - registry.example.com/api:abc123f',
      'web yourr-name-test image - failed - registry.example.com/api:ghi789b',
      'api yourr-name-acc image #3 live - registry.example.com/api:abc123f',
      'api yourr-name-prod image #3 live - registry.example.com/api:abc123f',
    ]);
    fake.root.apps = () => [appObject({ health: { status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping', since: ago(MIN) }, pin: PIN })];
    const json = JSON.parse((await kip(['app', 'list', '-o', 'json'])).out) as { apps: Record<string, unknown>[] };
    expect(json.apps[0]).toMatchObject({
      health: { status: 'degraded', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' },
      pin: { revision: 3, by: 'alice', at: PIN.at },
      driftPolicy: 'repair',
      deployPolicy: 'latest',
      autoRollback: true,
      webhookSecretMissing: null,
    });
  });
});

describe('kip app cancel', () => {
  const cancelled = (number: number, extra: Partial<FakeRevision> = {}) =>
    revision({ number, status: 'CANCELLED', failureReason: 'cancelled by admin', image: `registry.example.com/api:v${number}`, ...extra });

  it('names what it stopped and the rollback to the last live image', async () => {
    fake.root.cancelRollout = () => ({
      cancelled: [cancelled(5, { startedAt: ago(MIN) })],
      rollback: revision({ number: 7, trigger: 'ROLLBACK', status: 'QUEUED', rollbackTo: 4, image: 'registry.example.com/api:v4' }),
    });
    const r = await kip(['app', 'cancel', 'api', ...P]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['✔ Cancelled revision #5 (rolling out). Rolling back to revision #4 (registry.example.com/api:v4) as revision #7.']);
    expect(calls('CancelRollout')[0]!.variables).toEqual({ app: { name: 'api', project: 'yourr-name', environment: 'test' } });
  });

  it('lists several revisions, queued and building, without a rollback when no rollout was stopped', async () => {
    fake.root.cancelRollout = () => ({
      cancelled: [cancelled(5, { startedAt: ago(MIN), build: { id: 'b', number: 2, status: 'CANCELLED' } }), cancelled(6)],
      rollback: null,
    });
    const r = await kip(['app', 'cancel', 'api', ...P]);
    expect(r.lines).toEqual(['✔ Cancelled revisions #5 (building) and #6 (queued).']);
    const json = JSON.parse((await kip(['app', 'cancel', 'api', ...P, '-o', 'json'])).out) as { cancelled: Record<string, unknown>[]; rollback: unknown };
    expect(json.cancelled.map((c) => [c.number, c.status, c.stoppedWhile])).toEqual([
      [5, 'cancelled', 'building'],
      [6, 'cancelled', 'queued'],
    ]);
    expect(json.rollback).toBeNull();
  });

  it('nothing in flight: the API\'s words, exit 1', async () => {
    fake.root.cancelRollout = () => {
      throw apiError('NOTHING_TO_CANCEL', 'App api has no deploy or build in progress: there is nothing to cancel');
    };
    const r = await kip(['app', 'cancel', 'api', ...P]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: App api has no deploy or build in progress: there is nothing to cancel\n');
    const json = await kip(['app', 'cancel', 'api', ...P, '-o', 'json']);
    expect(JSON.parse(json.err)).toEqual({ error: { code: 'NOTHING_TO_CANCEL', message: 'App api has no deploy or build in progress: there is nothing to cancel' } });
  });

  it('--wait follows the rollback until it is live', async () => {
    let state = revision({ number: 7, trigger: 'ROLLBACK', status: 'QUEUED', rollbackTo: 4, image: 'registry.example.com/api:v4' });
    fake.root.app = () => appObject({ revision: ({ number }: { number: number }) => (number === 7 ? state : null) });
    fake.root.cancelRollout = () => {
      setTimeout(() => {
        state = { ...state, status: 'LIVE', current: true };
        fake.publish('appEvents', { type: 'LIVE', at: NOW.toISOString(), namespace: 'yourr-name-test', app: 'api', message: null, health: null, revision: state });
      }, 30);
      return { cancelled: [cancelled(5, { startedAt: ago(MIN) })], rollback: state };
    };
    const r = await kip(['app', 'cancel', 'api', ...P, '--wait', '--timeout', '20']);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('✔ Cancelled revision #5 (rolling out). Rolling back to revision #4 (registry.example.com/api:v4) as revision #7.');
    expect(r.lines.at(-1)).toBe('✔ Revision #7 is live');
  });
});

describe('kip app unpin', () => {
  it('deploys the newest held revision', async () => {
    fake.root.unpinApp = () => ({ app: appObject(), deployed: revision({ number: 9, status: 'QUEUED', trigger: 'WEBHOOK', image: 'registry.example.com/api:v9' }) });
    const r = await kip(['app', 'unpin', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['✔ api is no longer pinned. Deploying held revision #9 (registry.example.com/api:v9).']);
    const json = JSON.parse((await kip(['app', 'unpin', 'api', ...P, '-o', 'json'])).out) as { app: Record<string, unknown>; deployed: Record<string, unknown> };
    expect(json.app).toMatchObject({ name: 'api', pin: null });
    expect(json.deployed).toMatchObject({ number: 9, status: 'queued', trigger: 'webhook' });
  });

  it('says when nothing was held; NOT_PINNED is the API\'s words, exit 1', async () => {
    fake.root.unpinApp = () => ({ app: appObject(), deployed: null });
    expect((await kip(['app', 'unpin', 'api', ...P])).lines).toEqual(['✔ api is no longer pinned. No held revision to deploy.']);
    fake.root.unpinApp = () => {
      throw apiError('NOT_PINNED', 'App api is not pinned: there is nothing to unpin');
    };
    const r = await kip(['app', 'unpin', 'api', ...P]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: App api is not pinned: there is nothing to unpin\n');
  });
});

describe('kip app set (and its older name, configure)', () => {
  it('sends only what is given and prints the settings', async () => {
    fake.root.updateAppSettings = ({ input }) => {
      const i = input as Record<string, unknown>;
      return { app: { ...appObject({ driftPolicy: i.driftPolicy ?? 'REPAIR', deployPolicy: i.deployPolicy ?? 'LATEST', autoRollback: i.autoRollback ?? true }), env: [] }, revision: null };
    };
    const r = await kip(['app', 'configure', 'api', '--drift-policy', 'report', ...P]);
    expect(r.err).toBe('');
    expect(r.lines).toEqual(['✔ Settings of api (yourr-name-test) saved', 'Port:          3000', 'Replicas:      3', 'Host:          -', 'Deploy policy: latest', 'Auto rollback: on', 'Drift policy:  report']);
    expect(calls('UpdateAppSettings')[0]!.variables).toEqual({ app: { name: 'api', project: 'yourr-name', environment: 'test' }, input: { driftPolicy: 'REPORT' } });

    await kip(['app', 'set', 'api', '--deploy-policy', 'every', '--auto-rollback', 'false', ...P]);
    expect(calls('UpdateAppSettings')[1]!.variables).toMatchObject({ input: { deployPolicy: 'EVERY', autoRollback: false } });
    await kip(['app', 'set', 'api', '--no-auto-rollback', ...P]);
    expect(calls('UpdateAppSettings')[2]!.variables).toMatchObject({ input: { autoRollback: false } });
    await kip(['app', 'configure', 'api', '--auto-rollback', ...P]);
    expect(calls('UpdateAppSettings')[3]!.variables).toMatchObject({ input: { autoRollback: true } });
    await kip(['app', 'set', 'api', '--replicas', '0', '--port', '9090', '--host', '', ...P]);
    expect(calls('UpdateAppSettings')[4]!.variables).toMatchObject({ input: { replicas: 0, port: 9090, host: '' } });
  });

  it.each([
    [['app', 'set', 'api']],
    [['app', 'configure', 'api', '--drift-policy', 'ignore']],
    [['app', 'set', 'api', '--auto-rollback', 'maybe']],
    [['app', 'set', 'api', '--port', 'eighty']],
    [['app', 'scale', 'api', '-1']],
    [['app', 'env', 'set', 'api', 'NOVALUE']],
    [['app', 'delete', 'api']],
  ])('kip %j is a usage error', async (args) => {
    const r = await kip(args);
    expect(r.code).toBe(2);
    expect(fake.calls.filter((c) => c.operationName !== 'AppSettings')).toEqual([]);
  });
});

describe('what the cluster and the pin say', () => {
  it('app status shows health, the pin, held revisions, drift and a missing webhook Secret', async () => {
    const held = revision({ number: 5, status: 'HELD', trigger: 'WEBHOOK', image: 'registry.example.com/api:v5', heldReason: HELD_REASON });
    const rolling = revision({ number: 4, status: 'ROLLING_OUT', image: 'registry.example.com/api:new', progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 3 } });
    fake.root.app = () =>
      appObject({
        health: { status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping', since: ago(MIN) },
        pin: PIN,
        driftPolicy: 'REPORT',
        drift: { message: 'drift: image registry.example.com/api:hotfix in the cluster, registry.example.com/api:abc123f recorded', detectedAt: ago(2 * MIN) },
        webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(HOUR), rotatedAt: null, secretMissingSince: ago(MIN), trusts: [] },
        webhookSecretMissing: 'webhook Secret missing: run kip app webhook enable api to issue a new token',
        revisions: () => ({ nodes: [held, rolling, ...seedHistory], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 5 }),
      });
    const r = await kip(['app', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    const lines = r.lines.map((l) => l.replace(/ +/g, ' '));
    expect(lines).toContain('Health: Degraded (CrashLoopBackOff: 2/3 pods crash-looping)');
    expect(lines).toContain('Pin: Pinned to revision #3 by alice at 2026-01-15 11:58:00 UTC (kip app unpin api)');
    expect(lines).toContain('In progress: Revision #4 rolling out: 1/3 updated, 0 ready, 3 old pods serving (registry.example.com/api:new, manual)');
    expect(lines).toContain('Held: #5 registry.example.com/api:v5 (webhook, 1 min ago)');
    expect(lines).toContain(
      'Drift: image registry.example.com/api:hotfix in the cluster, registry.example.com/api:abc123f recorded (2 min ago; reported, not repaired: kip app configure api --drift-policy repair puts it back)',
    );
    expect(lines).toContain('Warning: webhook Secret missing: run kip app webhook enable api to issue a new token');

    const json = JSON.parse((await kip(['app', 'status', 'api', ...P, '-o', 'json'])).out) as Record<string, Record<string, unknown> & { app: Record<string, unknown> }>;
    expect(json.app).toMatchObject({ health: { status: 'degraded' }, pin: { revision: 3, by: 'alice' }, driftPolicy: 'report', webhookSecretMissing: expect.stringContaining('webhook Secret missing') });
    expect(json.held).toEqual([expect.objectContaining({ number: 5, status: 'held', heldReason: HELD_REASON })]);
    expect(json.inProgress).toEqual([expect.objectContaining({ progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 3 } })]);
  });

  it('app history marks the pinned revision, held and cancelled ones', async () => {
    const history = [
      revision({ number: 6, status: 'HELD', trigger: 'WEBHOOK', createdAt: ago(30_000), heldReason: HELD_REASON }),
      revision({ number: 5, status: 'CANCELLED', createdAt: ago(MIN), failureReason: 'cancelled by alice' }),
      revision({ number: 4, status: 'LIVE', trigger: 'ROLLBACK', rollbackTo: 2, current: true, createdAt: ago(2 * MIN) }),
      ...seedHistory.slice(1).map((r) => ({ ...r, current: false })),
    ];
    fake.root.app = () =>
      appObject({
        pin: { ...PIN, revision: { number: 4, image: 'registry.example.com/api:rev4' } },
        revisions: () => ({ nodes: history, pageInfo: { hasNextPage: false, endCursor: null }, totalCount: history.length }),
      });
    const r = await kip(['app', 'history', 'api', ...P]);
    expect(r.lines.map((l) => l.replace(/ +/g, ' '))).toEqual([
      '# IMAGE COMMIT TRIGGER WHEN',
      '6 registry.example.com/api:rev6 - webhook just now (held)',
      '5 registry.example.com/api:rev5 - manual 1 min ago (cancelled)',
      '4 registry.example.com/api:rev4 - rollback 2 min ago (current, pinned)',
      '2 registry.example.com/api:def456a def456a webhook 1 hour ago',
      '1 registry.example.com/api:ghi789b ghi789b manual 3 hours ago',
    ]);
    const json = JSON.parse((await kip(['app', 'history', 'api', ...P, '-o', 'json'])).out) as { pin: Record<string, unknown>; revisions: Record<string, unknown>[] };
    expect(json.pin).toEqual({ revision: 4, by: 'alice', at: PIN.at });
    expect(json.revisions.map((x) => [x.number, x.status, x.pinned])).toEqual([
      [6, 'held', false],
      [5, 'cancelled', false],
      [4, 'live', true],
      [2, 'live', false],
      [1, 'live', false],
    ]);
    expect(json.revisions[0]).toMatchObject({ heldReason: HELD_REASON });
  });

  it('--wait on a held revision prints why and exits 0 at once', async () => {
    fake.root.updateImage = () => revision({ number: 5, status: 'HELD', image: 'registry.example.com/api:v5', heldReason: HELD_REASON, app: { name: 'api', namespace: 'yourr-name-test' } });
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:v5', ...P, '--wait', '--timeout', '5']);
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toBe(HELD_REASON);
  });

  it('--wait on a cancelled revision exits 1 with the reason', async () => {
    fake.root.updateImage = () => revision({ number: 5, status: 'CANCELLED', failureReason: 'cancelled by alice', app: { name: 'api', namespace: 'yourr-name-test' } });
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:v5', ...P, '--wait', '--timeout', '5']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: Revision #5 was cancelled (cancelled by alice)\n');
  });
});

describe('kip app build-logs --follow', () => {
  const build = (status: string, extra: Record<string, unknown> = {}) => ({
    id: 'b3',
    number: 3,
    commit: '1a2b3c4',
    status,
    image: null,
    failureReason: null,
    createdAt: ago(MIN),
    startedAt: ago(MIN),
    finishedAt: null,
    revision: { number: 6, status: 'BUILDING', failureReason: null },
    log: [],
    ...extra,
  });

  function builds(states: Record<string, unknown>[]) {
    let reads = 0;
    fake.root.app = () => appObject({ source: 'GIT', builds: [states[0]] });
    fake.root.build = () => states[Math.min(reads++, states.length - 1)];
  }

  it('ends with exit 1 and the reason when the build is cancelled, even with no event', async () => {
    builds([
      build('RUNNING', { log: ['step 1/3'] }),
      build('RUNNING'),
      build('CANCELLED', { failureReason: 'cancelled by alice', finishedAt: NOW.toISOString(), revision: { number: 6, status: 'CANCELLED', failureReason: 'cancelled by alice' } }),
    ]);
    const r = await kip(['app', 'build-logs', 'api', ...P, '--follow']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: Build #3 was cancelled: cancelled by alice\n');
  }, 15_000);

  it('ends when the build\'s revision was decided while the build row still says running', async () => {
    builds([build('RUNNING'), build('RUNNING', { revision: { number: 6, status: 'SUPERSEDED', failureReason: 'superseded by #7 while building' } })]);
    const r = await kip(['app', 'build-logs', 'api', ...P, '--follow']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error: Build #3 was superseded: superseded by #7 while building\n');
  }, 15_000);

  it('exits 0 when it succeeds', async () => {
    builds([build('RUNNING'), build('SUCCEEDED', { image: 'registry.kipper.local/yourr-name-test/api:1a2b3c4', log: ['pushed'] })]);
    const r = await kip(['app', 'build-logs', 'api', ...P, '--follow']);
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toBe('Build #3 succeeded');
  }, 15_000);
});
