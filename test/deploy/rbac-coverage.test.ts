import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type ServedRequest } from '@kipper/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKip, until } from '../../cli/test/support/kip-process.js';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { DEPLOY_DIR, hasKubectl, render, simulatorKubectl } from '../support/kustomize.js';

/**
 * The ClusterRole of deploy/kubernetes/ must let Kipper do everything it does. The simulator
 * records each request it serves in RBAC terms (verb, group, resource, subresource); an
 * end-to-end run through the built `kip` (api and worker processes) exercises every path that
 * touches the cluster, and each recorded request must be allowed by one rule of the rendered
 * ClusterRole. Rules that nothing used are reported too, so the role does not grow unnoticed.
 */
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The User-Agent of this test's own requests to the simulator. */
const BY_HAND = 'rbac-coverage-test';
const byHand = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'user-agent': BY_HAND } });
const P = ['--project', 'shop', '--environment', 'test'];
const requests: ServedRequest[] = [];
let kipper: RunningKipper;
let configHome: string;
let repo: GitRepo;
const kip = async (args: string[]) => {
  const r = await runKip(kipper, configHome, args);
  expect(r.code, `kip ${args.join(' ')}\n${r.err}${r.out}`).toBe(0);
  return r;
};
const resourceName = (r: { resource: string; subresource?: string }) => (r.subresource ? `${r.resource}/${r.subresource}` : r.resource);
const allows = (rule: Rule, r: ServedRequest) =>
  rule.apiGroups.includes(r.group) && rule.resources.includes(resourceName(r)) && rule.verbs.includes(r.verb);

async function renderedClusterRole(): Promise<Rule[]> {
  // The rules as Kubernetes stores them: the base applied to a throwaway simulator, read back as JSON.
  const sim = await startSimulator();
  const k = simulatorKubectl(sim.url);
  try {
    const applied = await k.apply(await render(join(DEPLOY_DIR, 'base')));
    expect(applied.code, applied.stderr).toBe(0);
    return (await k.get<{ rules: Rule[] }>(['clusterrole', 'kipper'])).rules;
  } finally {
    k.close();
    await sim.close();
  }
}

describe.skipIf(!hasKubectl)('the ClusterRole covers what Kipper does in the cluster (needs /usr/bin/kubectl)', () => {
  beforeAll(async () => {
    configHome = await mkdtemp(join(tmpdir(), 'kip-rbac-'));
    repo = createGitRepo('main');
    kipper = await startKipper({
      worker: true,
      // Steps long enough for a build to still run when its log is followed.
      rolloutStepMs: 150,
      simulator: { onRequest: (r) => requests.push(r) },
      env: { KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file', KIPPER_RECONCILE_SECONDS: '1' },
    });
  }, 120_000);
  afterAll(async () => {
    await kipper?.stop();
    repo?.remove();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  it('allows every request of an end-to-end run: project, image and git apps, webhook, rollback, drift repair, delete', async () => {
    // A namespace that exists before Kipper needs it: Kipper labels it instead of creating it.
    const made = await byHand(`${kipper.sim.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'shop-test' } }) });
    expect(made.status).toBe(201);
    await kip(['project', 'create', 'shop', '--environments', 'test']);
    await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:v1', '--port', '8080', '--host', 'api.shop.example', ...P, '--wait']);
    await kip(['app', 'update', 'api', '--image', 'registry.example.com/api:v2', ...P, '--wait']);
    // What runs: pods, their events and logs.
    await kip(['app', 'pods', 'api', ...P]);
    await kip(['app', 'events', 'api', ...P]);
    await kip(['app', 'logs', 'api', ...P, '--tail', '5']);

    // A git app: a build Job, its pod and its log.
    repo.commit('first');
    await kip(['app', 'deploy', '--name', 'site', '--git', repo.url, '--branch', 'main', '--port', '8080', ...P, '--wait']);
    await kip(['app', 'build-logs', 'site', ...P]);
    const commit = repo.commit('second');
    await kip(['app', 'rebuild', 'site', '--commit', commit, ...P]);
    await kip(['app', 'build-logs', 'site', ...P, '--follow']);

    // A webhook (its token lives in a Secret of the app's namespace).
    await kip(['app', 'webhook', 'enable', 'api', ...P]);
    // Enabling again gives a new token: the Secret is replaced.
    const hook = JSON.parse((await kip(['app', 'webhook', 'enable', 'api', ...P, '-o', 'json'])).out) as { url: string; token: string };
    const posted: Response = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': hook.token },
      body: JSON.stringify({ image: 'registry.example.com/api:v3' }),
    });
    expect(posted.status).toBe(202);
    await until('the webhook revision to go live', async () => {
      const status = JSON.parse((await kip(['app', 'status', 'api', ...P, '-o', 'json'])).out) as { currentRevision?: { image: string } };
      return status.currentRevision?.image === 'registry.example.com/api:v3' || undefined;
    }, 60_000);
    await kip(['app', 'rollback', 'api', ...P, '--wait']);

    // Drift: someone scales the Deployment by hand; the reconciler puts it back.
    const path = `${kipper.sim.url}/apis/apps/v1/namespaces/shop-test/deployments/api`;
    const scaled = await byHand(path, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: 7 } }) });
    expect(scaled.status).toBe(200);
    await until('the drift to be repaired', async () => {
      const d = (await (await byHand(path)).json()) as { spec: { replicas: number } };
      return d.spec.replicas !== 7 || undefined;
    }, 30_000);

    await kip(['app', 'webhook', 'disable', 'api', ...P]);
    for (const name of ['site', 'api']) {
      await kipper.data('mutation($app: AppRef!) { deleteApp(app: $app) }', { app: { project: 'shop', environment: 'test', name } });
    }
    await until('the apps to leave the cluster', async () => ((await byHand(path)).status === 404 ? true : undefined), 30_000);

    const rules = await renderedClusterRole();
    // The test's own requests (the drift above) are not Kipper's: leave them out.
    const kippers = requests.filter((r) => r.userAgent !== BY_HAND);
    const distinct = new Map(kippers.map((r) => [`${r.verb} ${r.group || 'core'}/${resourceName(r)}${r.namespaced ? '' : ' (all namespaces)'}`, r]));
    const denied = [...distinct].filter(([, r]) => !rules.some((rule) => allows(rule, r))).map(([key]) => key);
    expect(denied, `requests the ClusterRole does not allow; seen:\n${[...distinct.keys()].sort().join('\n')}`).toEqual([]);

    // Every verb granted was used, except those this run cannot reach (each named with why).
    const unreachable = new Map([
      // followBuild watches the Job only when its pod's log ends before the Job records the
      // outcome; the simulator finishes the Job first, a real cluster may not.
      ['watch jobs', 'kube/src/build.ts followBuild'],
    ]);
    const unused = rules.flatMap((rule) =>
      rule.resources.flatMap((resource) =>
        rule.verbs
          .filter((verb) => !kippers.some((r) => r.verb === verb && resourceName(r) === resource && rule.apiGroups.includes(r.group)))
          .map((verb) => `${verb} ${resource}`),
      ),
    );
    expect(unused.filter((u) => !unreachable.has(u)), `granted but never used; seen:\n${[...distinct.keys()].sort().join('\n')}`).toEqual([]);
  });
});
