import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/program.js';
import { apiError, startFakeKipper, type FakeKipper } from './support/fake-kipper.js';
import { ago, gitlabSnippet, githubSnippet, HOUR, MIN, NOW, revision, seedHistory, TOKEN_64, type FakeRevision } from './support/fixtures.js';
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
    environment: { name: 'test', next: { name: 'acc', namespace: 'yourr-name-acc' } },
    webhook: { enabled: false, url: WEBHOOK_URL, createdAt: null, rotatedAt: null },
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
  snippets: { gitlabCi: gitlabSnippet, githubActions: githubSnippet },
  webhook: { enabled, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null },
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
    fake.root.app = () => appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(HOUR), rotatedAt: null } });
    fake.root.enableWebhook = () => secret();
    const r = await kip(['app', 'webhook', 'enable', 'api', ...P, '--ci', 'github']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('GitHub Actions snippet (.github/workflows/deploy.yml):\n- name: Deploy to Kipper');
    expect(r.out).toContain('The token was regenerated: the previous one no longer works.');
  });

  it('status prints URL and token when enabled', async () => {
    fake.root.app = () => appObject({ webhook: { enabled: true, url: WEBHOOK_URL, createdAt: ago(2 * HOUR), rotatedAt: null } });
    fake.root.webhookSecret = () => secret();
    const r = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Webhook for api (yourr-name-test): enabled, token from 2 hours ago',
      `Webhook URL: ${WEBHOOK_URL}`,
      `Secret token: ${TOKEN_64}`,
    ]);
  });

  it('status says how to enable a disabled webhook', async () => {
    fake.root.webhookSecret = () => null;
    const r = await kip(['app', 'webhook', 'status', 'api', ...P]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'Webhook for api (yourr-name-test): not enabled',
      'Enable it with: kip app webhook enable api --project yourr-name --environment test',
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
    expect(r.lines[0]).toBe('✔ Rolled back api to revision #2 (registry.example.com/api:def456a)');
    expect(calls('RollbackApp')[0]!.variables).toMatchObject({ revision: null });
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
    for (const cmd of ['deploy', 'update', 'history', 'rollback', 'promote', 'rebuild', 'build-logs', 'status', 'deliveries', 'webhook']) {
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
      { status: 'ROLLING_OUT', progress: { updated: 1, ready: 1, desired: 3, available: 1, old: 0 } },
      { status: 'ROLLING_OUT', progress: { updated: 3, ready: 2, desired: 3, available: 2, old: 0 } },
      { status: 'ROLLING_OUT', progress: { updated: 3, ready: 2, desired: 3, available: 2, old: 0 } },
      { status: 'LIVE', current: true, progress: { updated: 3, ready: 3, desired: 3, available: 3, old: 0 } },
    ]);
    const r = await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:new', ...P, '--wait']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(subscribedBeforeMutation).toEqual([true]);
    expect(r.lines).toEqual([
      '✔ Updating api to registry.example.com/api:new (revision #4)',
      'Revision #4 queued',
      'Revision #4 rolling out: 1/3 ready',
      'Revision #4 rolling out: 2/3 ready',
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
    expect(r.err).toContain('Gave up waiting after 1s: Revision #4 rolling out: 0/3 ready');
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
    expect(r.out).toContain('In progress: Revision #4 rolling out: 1/3 ready (registry.example.com/api:new, manual)');
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
    expect((await kip(['app', 'list'])).lines[1]!.replace(/ +/g, ' ')).toBe('api yourr-name-test image #3 live registry.example.com/api:abc123f');
  });
});
