import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { FakeGitHub } from '../support/github-api.js';
import { connect, createSecret, deployImageApp, gql, revisionStatus, sha, until, updateImage, waitForStatus, type TestApp } from '../support/feedback.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';

const TOKEN = 'ghp_kipperTestToken0123456789';

/**
 * Feedback to GitHub with the real pieces: the api in-process, a worker process, the simulator,
 * @octokit/rest in the worker talking to a local GitHub whose every request is checked against
 * GitHub's published OpenAPI description (test/support/github-api.ts).
 */
describe('feedback to GitHub: commit statuses and Deployments', () => {
  let kipper: RunningKipper;
  let github: FakeGitHub;
  let repo: GitRepo;

  beforeAll(async () => {
    github = await new FakeGitHub(TOKEN, 'acme/api').start();
    repo = createGitRepo('main');
    kipper = await startKipper({
      worker: true,
      rolloutStepMs: 20,
      // sim-slow images stay rolling out; sim-fail ones fail at the progress deadline.
      simulator: { slowReadyMs: 120_000 },
      env: { KIPPER_FEEDBACK_ALLOW_PRIVATE: 'true', KIPPER_PROGRESS_DEADLINE_SECONDS: '3', KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' },
    });
    await gql(kipper, `mutation { createProject(input: { name: "shop", environments: ["test", "acc", "prod"] }) { name } }`);
  });
  afterEach(() => {
    // Every request Kipper sent matched GitHub's description, and so did every answer.
    const problems = github.problems.splice(0);
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await kipper?.stop();
    await github?.close();
    repo?.remove();
  });

  async function connectedApp(name: string, environment = 'test', options: { host?: string; autoRollback?: boolean } = {}): Promise<TestApp> {
    const app = await deployImageApp(kipper, { project: 'shop', environment, name, ...options });
    await createSecret(kipper.sim.url, app.namespace, 'github-token', { token: `${TOKEN}\n` });
    await connect(kipper, app, { provider: 'GITHUB', repository: 'acme/api', apiUrl: github.url, secret: 'github-token' });
    return app;
  }

  const states = (sha: string, environment: string) => github.deployments.filter((d) => d.sha === sha && d.environment === environment).map((d) => d.statuses.map((s) => s.state));
  const contextStates = (sha: string, environment: string) => github.statusesOf(sha, `kipper/${environment}`).map((s) => s.state);

  it('a deploy through the webhook reports queued → in_progress → success on one Deployment, and the commit status links to the console', async () => {
    const app = await connectedApp('web', 'test', { host: 'web.example.com' });
    const { enableWebhook } = await gql<{ enableWebhook: { url: string; token: string } }>(kipper, `mutation($a: AppRef!) { enableWebhook(app: $a) { url token } }`, { a: { namespace: app.namespace, name: app.name } });
    const commit = sha();
    const res = await fetch(enableWebhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': enableWebhook.token },
      body: JSON.stringify({ image: `registry.example.com/web:${commit.slice(0, 7)}`, commit }),
    });
    expect(res.status).toBe(202);
    await until(() => states(commit, 'test')[0]?.includes('success') ?? false, 20_000, () => JSON.stringify(github.requests.map((r) => [r.operationId, r.status])));

    expect(states(commit, 'test')).toEqual([['queued', 'in_progress', 'success']]);
    const [deployment] = github.deploymentsIn('test').filter((d) => d.sha === commit);
    expect(deployment).toMatchObject({ ref: commit, environment: 'test', transient_environment: false, production_environment: false });
    expect(deployment!.payload).toMatchObject({ kipper: { app: 'web', namespace: 'shop-test', revision: 2 } });
    const consoleUrl = `${kipper.url}/#/apps/shop-test/web/deploys`;
    for (const status of deployment!.statuses) {
      expect(status).toMatchObject({ environment: 'test', environment_url: 'https://web.example.com', log_url: consoleUrl });
    }
    expect(deployment!.statuses.at(-1)!.description).toBe(`Revision #2 is live: registry.example.com/web:${commit.slice(0, 7)}`);

    expect(contextStates(commit, 'test')).toEqual(['pending', 'pending', 'success']);
    expect(github.statusesOf(commit, 'kipper/test').every((s) => s.target_url === consoleUrl)).toBe(true);
    // The token went from its Secret to GitHub (trimmed), never into PostgreSQL; the report is
    // recorded once GitHub answered (the row is written after the last call).
    type Dump = { app: { feedback: { tokenSecret: { name: string; key: string }; lastReports: { stage: string; sha: string; revision: { number: number } }[] }[] } };
    const dump = () =>
      gql<Dump>(kipper, `query($a: AppRef!) { app(ref: $a) { feedback { tokenSecret { name key } lastReports { stage sha revision { number } } } } }`, { a: { namespace: app.namespace, name: app.name } });
    await until(async () => (await dump()).app.feedback[0]?.lastReports[0]?.stage === 'SUCCESS', 5_000, () => 'the SUCCESS report to be recorded');
    expect((await dump()).app.feedback).toEqual([{ tokenSecret: { name: 'github-token', key: 'token' }, lastReports: [{ stage: 'SUCCESS', sha: commit, revision: { number: 2 } }] }]);
  });

  it('a failed rollout reports failure with its reason', async () => {
    const app = await connectedApp('broken', 'test', { autoRollback: false });
    const commit = sha();
    const n = await updateImage(kipper, app, 'registry.example.com/broken:sim-fail', commit);
    await waitForStatus(kipper, app, n, 'FAILED', 20_000);
    await until(() => states(commit, 'test')[0]?.includes('failure') ?? false, 10_000, () => JSON.stringify(states(commit, 'test')));
    const deployment = github.deploymentsIn('test').find((d) => d.sha === commit)!;
    expect(deployment.statuses.map((s) => s.state)).toEqual(['queued', 'in_progress', 'failure']);
    const failure = deployment.statuses.at(-1)!;
    expect(failure.description).toMatch(/^Revision #2 failed: .*ProgressDeadlineExceeded/);
    expect(failure.description.length).toBeLessThanOrEqual(140);
    expect(contextStates(commit, 'test').at(-1)).toBe('failure');
    expect(github.statusesOf(commit, 'kipper/test').at(-1)!.description).toBe(failure.description);
  });

  it('a revision superseded while rolling out reports inactive; the newer one success', async () => {
    const app = await connectedApp('busy');
    const older = sha();
    const newer = sha();
    await updateImage(kipper, app, 'registry.example.com/busy:sim-slow', older);
    await until(() => states(older, 'test')[0]?.includes('in_progress') ?? false, 10_000, () => JSON.stringify(states(older, 'test')));
    const n = await updateImage(kipper, app, 'registry.example.com/busy:v2', newer);
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => (states(older, 'test')[0]?.includes('inactive') ?? false) && (states(newer, 'test')[0]?.includes('success') ?? false), 10_000, () => JSON.stringify([states(older, 'test'), states(newer, 'test')]));
    expect(states(older, 'test')).toEqual([['queued', 'in_progress', 'inactive']]);
    expect(github.deployments.find((d) => d.sha === older)!.statuses.at(-1)!.description).toBe('Revision #2 not deployed: superseded by #3 while rolling out');
    expect(states(newer, 'test')).toEqual([['queued', 'in_progress', 'success']]);
    // The commit that never went live is not green: `error` says it was not deployed.
    expect(contextStates(older, 'test').at(-1)).toBe('error');
  });

  it('three environments keep three separate Deployments and commit statuses; only the last stage is production', async () => {
    const apps = await Promise.all(['test', 'acc', 'prod'].map((environment) => connectedApp('multi', environment)));
    const commit = sha();
    for (const app of apps) await updateImage(kipper, app, `registry.example.com/multi:${commit.slice(0, 7)}`, commit);
    await until(() => ['test', 'acc', 'prod'].every((e) => states(commit, e)[0]?.includes('success') ?? false), 20_000, () => JSON.stringify(['test', 'acc', 'prod'].map((e) => states(commit, e))));
    for (const environment of ['test', 'acc', 'prod']) {
      expect(states(commit, environment)).toEqual([['queued', 'in_progress', 'success']]);
      expect(contextStates(commit, environment)).toEqual(['pending', 'pending', 'success']);
    }
    const byEnvironment = Object.fromEntries(github.deployments.filter((d) => d.sha === commit).map((d) => [d.environment, d.production_environment]));
    expect(byEnvironment).toEqual({ test: false, acc: false, prod: true });
  });

  it('a build that fails reports failure for the commit that was sent', async () => {
    const { deployApp } = await gql<{ deployApp: { id: string; namespace: string } }>(
      kipper,
      `mutation($i: DeployAppInput!) { deployApp(input: $i) { id namespace } }`,
      { i: { project: 'shop', environment: 'acc', name: 'built', gitUrl: repo.url, dockerfilePath: 'sim-fail/Dockerfile', port: 8080 } },
    );
    const app: TestApp = { id: deployApp.id, name: 'built', namespace: deployApp.namespace, environment: 'acc' };
    await waitForStatus(kipper, app, 1, 'FAILED', 20_000);
    await createSecret(kipper.sim.url, app.namespace, 'gh', { pat: TOKEN });
    await connect(kipper, app, { provider: 'GITHUB', repository: 'acme/api', apiUrl: github.url, secret: 'gh', key: 'pat' });
    const commit = repo.commit('a change that does not build');
    const { rebuildApp } = await gql<{ rebuildApp: { number: number } }>(kipper, `mutation($a: AppRef!, $c: String) { rebuildApp(app: $a, commit: $c) { number } }`, {
      a: { namespace: app.namespace, name: app.name },
      c: commit,
    });
    await waitForStatus(kipper, app, rebuildApp.number, 'FAILED', 20_000);
    // The commit status goes first, the Deployment's status after it.
    await until(() => contextStates(commit, 'acc').includes('failure') && (states(commit, 'acc')[0]?.includes('failure') ?? false), 10_000, () => JSON.stringify(github.requests.slice(-6)));
    expect(contextStates(commit, 'acc')).toEqual(['pending', 'pending', 'failure']);
    // The reason Kipper recorded (the simulated builder's exit), cut to GitHub's 140 characters.
    const { failureReason } = (await revisionStatus(kipper, app, rebuildApp.number))!;
    expect(github.statusesOf(commit, 'kipper/acc').at(-1)!.description!.slice(0, 100)).toBe(`Revision #2 failed: ${failureReason!.replace(/\s+/g, ' ')}`.slice(0, 100));
    expect(states(commit, 'acc')).toEqual([['queued', 'in_progress', 'failure']]);
  });

  it('a short SHA from CI is resolved once through GitHub, and the report goes to the full one', async () => {
    const app = await connectedApp('short');
    const commit = sha();
    github.commits.set(commit.slice(0, 7), commit);
    const n = await updateImage(kipper, app, 'registry.example.com/short:v1', commit.slice(0, 7));
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => states(commit, 'test')[0]?.includes('success') ?? false, 10_000, () => JSON.stringify(github.requests.slice(-6)));
    expect(github.requests.filter((r) => r.operationId === 'repos/get-commit' && r.params.ref === commit.slice(0, 7))).toHaveLength(1);
    expect(github.statuses.filter((s) => s.sha === commit.slice(0, 7))).toEqual([]);
  });

  it('GitHub answering 500, then 200: the status gets through, on the same Deployment', async () => {
    const app = await connectedApp('flaky');
    const commit = sha();
    github.failNext('repos/create-commit-status', 500, 1);
    github.failNext('repos/create-deployment-status', 502, 1);
    const n = await updateImage(kipper, app, 'registry.example.com/flaky:v1', commit);
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => states(commit, 'test')[0]?.includes('success') ?? false, 30_000, () => JSON.stringify(github.requests.filter((r) => r.path.includes(commit) || r.operationId.includes('deployment')).map((r) => [r.operationId, r.status])));
    const failed = github.requests.filter((r) => r.status >= 500).map((r) => [r.operationId, r.status]);
    expect(failed).toEqual([
      ['repos/create-commit-status', 500],
      ['repos/create-deployment-status', 502],
    ]);
    // One Deployment (the retry found it and went on), every stage once, in order.
    expect(states(commit, 'test')).toEqual([['queued', 'in_progress', 'success']]);
    expect(contextStates(commit, 'test').at(-1)).toBe('success');
  });

  it('a webhook held while the app is pinned reports pending with why; unpinned, it goes on to success', async () => {
    const app = await connectedApp('pinned');
    const ref = { namespace: app.namespace, name: app.name };
    const live = await updateImage(kipper, app, 'registry.example.com/pinned:v1', sha());
    await waitForStatus(kipper, app, live, 'LIVE');
    const { rollbackApp } = await gql<{ rollbackApp: { number: number } }>(kipper, `mutation($a: AppRef!) { rollbackApp(app: $a) { number } }`, { a: ref });
    await waitForStatus(kipper, app, rollbackApp.number, 'LIVE');
    const { enableWebhook } = await gql<{ enableWebhook: { url: string; token: string } }>(kipper, `mutation($a: AppRef!) { enableWebhook(app: $a) { url token } }`, { a: ref });
    const commit = sha();
    const res = await fetch(enableWebhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': enableWebhook.token },
      body: JSON.stringify({ image: 'registry.example.com/pinned:v2', commit }),
    });
    const held = (await res.json()) as { revision: { number: number; status: string }; message: string };
    expect(held.revision.status).toBe('held');
    await until(() => contextStates(commit, 'test').length > 0 && (states(commit, 'test')[0]?.length ?? 0) > 0, 10_000, () => JSON.stringify(github.requests.slice(-6)));
    expect(contextStates(commit, 'test')).toEqual(['pending']);
    expect(github.statusesOf(commit, 'kipper/test')[0]!.description).toBe(held.message.length <= 140 ? held.message : `${held.message.slice(0, 139)}…`);
    expect(states(commit, 'test')).toEqual([['pending']]);

    await gql(kipper, `mutation($a: AppRef!) { unpinApp(app: $a) { deployed { number } } }`, { a: ref });
    await waitForStatus(kipper, app, held.revision.number, 'LIVE');
    await until(() => states(commit, 'test')[0]?.includes('success') ?? false, 10_000, () => JSON.stringify(states(commit, 'test')));
    expect(states(commit, 'test')).toEqual([['pending', 'queued', 'in_progress', 'success']]);
    expect(contextStates(commit, 'test')).toEqual(['pending', 'pending', 'pending', 'success']);
  });

  it('a token Secret deleted after connecting: nothing is sent, the report says why and is not retried', async () => {
    const app = await connectedApp('orphan', 'prod');
    const del = await fetch(`${kipper.sim.url}/api/v1/namespaces/${app.namespace}/secrets/github-token`, { method: 'DELETE' });
    expect(del.ok).toBe(true);
    const commit = sha();
    const before = github.requests.length;
    const n = await updateImage(kipper, app, 'registry.example.com/orphan:v1', commit);
    await waitForStatus(kipper, app, n, 'LIVE');
    type Reports = { app: { feedback: { lastReports: { stage: string | null; lastError: string | null }[] }[] } };
    const reports = () => gql<Reports>(kipper, `query($a: AppRef!) { app(ref: $a) { feedback { lastReports { stage lastError } } } }`, { a: { namespace: app.namespace, name: app.name } });
    await until(async () => Boolean((await reports()).app.feedback[0]?.lastReports[0]?.lastError), 10_000, () => 'the error on the report');
    expect((await reports()).app.feedback[0]!.lastReports[0]).toEqual({ stage: null, lastError: 'Secret github-token with key token not found in namespace shop-prod' });
    expect(github.requests.slice(before).filter((r) => r.path.includes(commit) || (r.body as { ref?: string } | undefined)?.ref === commit)).toEqual([]);
  });

  it('refuses a connection whose Secret is missing, a bad repository or a private API URL, and changes nothing', async () => {
    const app = await deployImageApp(kipper, { project: 'shop', environment: 'test', name: 'refused' });
    const attempt = (input: Record<string, unknown>) =>
      kipper.graphql(`mutation($a: AppRef!, $i: ConnectFeedbackInput!) { connectFeedback(app: $a, input: $i) { id } }`, {
        a: { namespace: app.namespace, name: app.name },
        i: { provider: 'GITHUB', repository: 'acme/api', apiUrl: github.url, tokenSecret: { name: 'nope' }, ...input },
      });
    const missing = await attempt({});
    expect(missing.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(missing.errors?.[0]?.message).toBe(
      'Secret nope with key token not found in namespace shop-test: create it first, e.g. kubectl create secret generic nope --namespace shop-test --from-literal=token=<token>',
    );
    await createSecret(kipper.sim.url, app.namespace, 'ok', { token: TOKEN });
    expect((await attempt({ repository: 'acme', tokenSecret: { name: 'ok' } })).errors?.[0]?.message).toMatch(/GitHub repository must be owner\/name/);
    expect((await attempt({ apiUrl: 'ftp://github.example.com', tokenSecret: { name: 'ok' } })).errors?.[0]?.message).toMatch(/API URL must start with https:\/\//);
    expect((await attempt({ apiUrl: 'https://user:pw@github.example.com', tokenSecret: { name: 'ok' } })).errors?.[0]?.message).toMatch(/carries credentials/);
    const listed = await gql<{ app: { feedback: unknown[] } }>(kipper, `query($a: AppRef!) { app(ref: $a) { feedback { id } } }`, { a: { namespace: app.namespace, name: app.name } });
    expect(listed.app.feedback).toEqual([]);
    const off = await kipper.graphql(`mutation($a: AppRef!) { disconnectFeedback(app: $a, provider: GITHUB) { id } }`, { a: { namespace: app.namespace, name: app.name } });
    expect(off.errors?.[0]?.extensions?.code).toBe('FEEDBACK_NOT_CONNECTED');
  });
});
