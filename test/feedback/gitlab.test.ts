import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { FakeGitLab } from '../support/gitlab-api.js';
import { connect, createSecret, deployImageApp, gql, revisionStatus, sha, until, updateImage, waitForStatus, type TestApp } from '../support/feedback.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';

const TOKEN = 'glpat-kipperTestToken01234';

/**
 * Feedback to GitLab: commit statuses and deployments through GitLab's REST API (fetch in the
 * worker process) against a local GitLab that checks every request against the documented
 * request shapes (test/support/gitlab-api.ts).
 */
describe('feedback to GitLab: commit statuses and environments', () => {
  let kipper: RunningKipper;
  let gitlab: FakeGitLab;
  let repo: GitRepo;

  beforeAll(async () => {
    gitlab = await new FakeGitLab(TOKEN, 'acme/platform/api', 'trunk').start();
    repo = createGitRepo('release');
    kipper = await startKipper({
      worker: true,
      rolloutStepMs: 20,
      simulator: { slowReadyMs: 120_000 },
      env: { KIPPER_FEEDBACK_ALLOW_PRIVATE: 'true', KIPPER_PROGRESS_DEADLINE_SECONDS: '3', KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' },
    });
    await gql(kipper, `mutation { createProject(input: { name: "shop", environments: ["test", "acc", "prod"] }) { name } }`);
  });
  afterEach(() => {
    const problems = gitlab.problems.splice(0);
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await kipper?.stop();
    await gitlab?.close();
    repo?.remove();
  });

  async function connected(app: TestApp): Promise<TestApp> {
    await createSecret(kipper.sim.url, app.namespace, 'gitlab-token', { token: TOKEN });
    await connect(kipper, app, { provider: 'GITLAB', repository: 'acme/platform/api', apiUrl: gitlab.apiUrl, secret: 'gitlab-token' });
    return app;
  }
  const connectedApp = async (name: string, environment = 'test', options: { autoRollback?: boolean } = {}) =>
    connected(await deployImageApp(kipper, { project: 'shop', environment, name, ...options }));
  const deploymentsOf = (commit: string, environment: string) => gitlab.deployments.filter((d) => d.sha === commit && d.environment === environment);
  /** The commit status and then the deployment got `state` (a stage sends them in that order). */
  const reached = (commit: string, environment: string, state: string, deployment = state) =>
    gitlab.statesOf(commit, `kipper/${environment}`).includes(state) && deploymentsOf(commit, environment)[0]?.statuses.includes(deployment) === true;

  it('a deploy reports pending → running → success, and a deployment in the environment from running to success', async () => {
    const app = await connectedApp('web');
    const commit = sha();
    const n = await updateImage(kipper, app, 'registry.example.com/web:v1', commit);
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => gitlab.statesOf(commit, 'kipper/test').includes('success') && deploymentsOf(commit, 'test')[0]?.statuses.includes('success') === true, 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    expect(gitlab.statesOf(commit, 'kipper/test')).toEqual(['pending', 'running', 'success']);
    const status = gitlab.statuses.find((s) => s.sha === commit && s.state === 'success')!;
    expect(status.target_url).toBe(`${kipper.url}/#/apps/shop-test/web/deploys`);
    expect(status.description).toBe('Revision #2 is live: registry.example.com/web:v1');
    // An image app has no branch: the project's default branch is the deployment's ref.
    expect(deploymentsOf(commit, 'test')).toMatchObject([{ ref: 'trunk', tag: false, statuses: ['running', 'success'] }]);
    // The project path goes URL-encoded, the token in PRIVATE-TOKEN (checked by the fake).
    expect(gitlab.requests.some((r) => r.path.startsWith('/api/v4/projects/acme%2Fplatform%2Fapi/'))).toBe(true);
  });

  it('a failed rollout reports failed with its reason', async () => {
    const app = await connectedApp('broken', 'test', { autoRollback: false });
    const commit = sha();
    const n = await updateImage(kipper, app, 'registry.example.com/broken:sim-fail', commit);
    await waitForStatus(kipper, app, n, 'FAILED');
    await until(() => reached(commit, 'test', 'failed'), 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    expect(gitlab.statesOf(commit, 'kipper/test')).toEqual(['pending', 'running', 'failed']);
    expect(gitlab.statuses.find((s) => s.sha === commit && s.state === 'failed')!.description).toMatch(/^Revision #2 failed: .*ProgressDeadlineExceeded/);
    expect(deploymentsOf(commit, 'test')).toMatchObject([{ statuses: ['running', 'failed'] }]);
  });

  it('a superseded revision is canceled, its deployment too', async () => {
    const app = await connectedApp('busy');
    const older = sha();
    const newer = sha();
    await updateImage(kipper, app, 'registry.example.com/busy:sim-slow', older);
    await until(() => gitlab.statesOf(older, 'kipper/test').includes('running'), 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    const n = await updateImage(kipper, app, 'registry.example.com/busy:v2', newer);
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => reached(older, 'test', 'canceled') && reached(newer, 'test', 'success'), 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    expect(gitlab.statesOf(older, 'kipper/test')).toEqual(['pending', 'running', 'canceled']);
    expect(deploymentsOf(older, 'test')).toMatchObject([{ statuses: ['running', 'canceled'] }]);
    expect(gitlab.statesOf(newer, 'kipper/test')).toEqual(['pending', 'running', 'success']);
  });

  it('three environments keep three commit statuses and three environments of deployments', async () => {
    const apps = await Promise.all(['test', 'acc', 'prod'].map((environment) => connectedApp('multi', environment)));
    const commit = sha();
    for (const app of apps) await updateImage(kipper, app, 'registry.example.com/multi:v1', commit);
    await until(() => ['test', 'acc', 'prod'].every((e) => reached(commit, e, 'success')), 20_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    for (const environment of ['test', 'acc', 'prod']) {
      expect(gitlab.statesOf(commit, `kipper/${environment}`)).toEqual(['pending', 'running', 'success']);
      expect(deploymentsOf(commit, environment)).toMatchObject([{ statuses: ['running', 'success'] }]);
    }
  });

  it('a build that fails reports failed for the commit; the deployment names the app\'s branch', async () => {
    const first = repo.commit('first');
    const { deployApp } = await gql<{ deployApp: { id: string; namespace: string } }>(
      kipper,
      `mutation($i: DeployAppInput!) { deployApp(input: $i) { id namespace } }`,
      { i: { project: 'shop', environment: 'acc', name: 'built', gitUrl: repo.url, gitBranch: 'release', dockerfilePath: 'sim-fail/Dockerfile', port: 8080 } },
    );
    const app = await connected({ id: deployApp.id, name: 'built', namespace: deployApp.namespace, environment: 'acc' });
    // Connected while its first build runs: that one is reported from wherever it is.
    await waitForStatus(kipper, app, 1, 'FAILED');
    await until(() => gitlab.statesOf(first, 'kipper/acc').includes('failed'), 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    const commit = repo.commit('a change that does not build');
    const { rebuildApp } = await gql<{ rebuildApp: { number: number } }>(kipper, `mutation($a: AppRef!, $c: String) { rebuildApp(app: $a, commit: $c) { number } }`, {
      a: { namespace: app.namespace, name: app.name },
      c: commit,
    });
    await waitForStatus(kipper, app, rebuildApp.number, 'FAILED');
    await until(() => reached(commit, 'acc', 'failed'), 10_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    expect(gitlab.statesOf(commit, 'kipper/acc')).toEqual(['pending', 'running', 'failed']);
    const { failureReason } = (await revisionStatus(kipper, app, rebuildApp.number))!;
    expect(gitlab.statuses.find((s) => s.sha === commit && s.state === 'failed')!.description!.slice(0, 100)).toBe(`Revision #2 failed: ${failureReason!.replace(/\s+/g, ' ')}`.slice(0, 100));
    expect(deploymentsOf(commit, 'acc')).toMatchObject([{ ref: 'release', statuses: ['running', 'failed'] }]);
  });

  it('GitLab answering 500, then 200: the status gets through', async () => {
    const app = await connectedApp('flaky');
    const commit = sha();
    gitlab.failNext('create-commit-status', 500, 1);
    gitlab.failNext('create-deployment', 503, 1);
    const n = await updateImage(kipper, app, 'registry.example.com/flaky:v1', commit);
    await waitForStatus(kipper, app, n, 'LIVE');
    await until(() => gitlab.statesOf(commit, 'kipper/test').includes('success') && deploymentsOf(commit, 'test')[0]?.statuses.includes('success') === true, 30_000, () => JSON.stringify(gitlab.requests.slice(-8)));
    expect(gitlab.requests.filter((r) => r.status >= 500).map((r) => [r.operation, r.status])).toEqual([
      ['create-commit-status', 500],
      ['create-deployment', 503],
    ]);
    expect(gitlab.statesOf(commit, 'kipper/test')).toEqual(['pending', 'running', 'success']);
    expect(deploymentsOf(commit, 'test')).toMatchObject([{ statuses: ['running', 'success'] }]);
  });
});
