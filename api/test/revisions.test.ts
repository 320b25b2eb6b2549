import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, count, createProject, deployApp, fakeDigest, markFailed, markLive, ok, REVISION, simStatus, updateImage } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'yourr-name');
});
afterAll(async () => {
  await k?.stop();
});

interface RevisionView {
  id: string;
  number: number;
  image: string | null;
  commit: string | null;
  trigger: string;
  triggeredBy: string;
  status: string;
  current: boolean;
  rollbackTo: number | null;
  promotedFrom: { namespace: string; environment: string; app: string; revision: number } | null;
}

async function history(ref: Record<string, unknown>, first = 20, after?: number) {
  return ok(
    await k.graphql<{ app: { id: string; revisions: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: number | null }; nodes: RevisionView[] } } }>(
      `query($ref: AppRef!, $first: Int!, $after: Int) { app(ref: $ref) { id revisions(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${REVISION} } } } }`,
      { ref, first, after },
    ),
  ).app;
}

const web = { project: 'yourr-name', environment: 'test', name: 'web' };

describe('deploy history', () => {
  it('deployApp records revision 1 (manual) and creates the workload; updateImage records revision 2', async () => {
    const app = await deployApp(k, { ...web, image: 'registry.example.com/web:ghi789b' });
    expect(app).toMatchObject({ name: 'web', namespace: 'yourr-name-test' });
    expect(await simStatus(k, '/apis/apps/v1/namespaces/yourr-name-test/deployments/web')).toBe(200);
    expect(await simStatus(k, '/api/v1/namespaces/yourr-name-test/services/web')).toBe(200);

    const second = await updateImage(k, { namespace: 'yourr-name-test', name: 'web' }, 'registry.example.com/web:def456a', 'def456a');
    expect(second).toMatchObject({ number: 2, trigger: 'MANUAL', triggeredBy: 'admin', status: 'QUEUED', image: 'registry.example.com/web:def456a', commit: 'def456a', current: false });

    const { revisions } = await history(web);
    expect(revisions.totalCount).toBe(2);
    expect(revisions.nodes.map((r) => [r.number, r.trigger, r.triggeredBy, r.image, r.status])).toEqual([
      [2, 'MANUAL', 'admin', 'registry.example.com/web:def456a', 'QUEUED'],
      [1, 'MANUAL', 'admin', 'registry.example.com/web:ghi789b', 'QUEUED'],
    ]);
    const audit = (await k.kipper.services.dataSource.query(`SELECT actor, action, target FROM audit_entry WHERE target = 'yourr-name-test/web' ORDER BY at`)) as unknown[];
    expect(audit).toEqual([
      { actor: 'admin', action: 'app.create', target: 'yourr-name-test/web' },
      { actor: 'admin', action: 'revision.manual', target: 'yourr-name-test/web' },
      { actor: 'admin', action: 'revision.manual', target: 'yourr-name-test/web' },
    ]);
  });

  it('puts a job for every revision on the queue', async () => {
    const { id } = (await history(web)).revisions.nodes[0]!;
    const job = await k.kipper.services.queue.queue.getJob(`deploy-${id}`);
    expect(job?.name).toBe('app.deploy');
    expect(job?.data).toMatchObject({ revisionId: id });
  });

  it('pages newest first with after = endCursor', async () => {
    for (let i = 3; i <= 5; i++) await updateImage(k, web, `registry.example.com/web:v${i}`);
    const page1 = (await history(web, 2)).revisions;
    expect(page1.nodes.map((r) => r.number)).toEqual([5, 4]);
    expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: 4 });
    expect(page1.totalCount).toBe(5);
    const page2 = (await history(web, 2, 4)).revisions;
    expect(page2.nodes.map((r) => r.number)).toEqual([3, 2]);
    const page3 = (await history(web, 2, 2)).revisions;
    expect(page3.nodes.map((r) => r.number)).toEqual([1]);
    expect(page3.pageInfo).toEqual({ hasNextPage: false, endCursor: 1 });
    expect(codeOf(await k.graphql(`{ app(ref: { name: "web" }) { revisions(first: 1000) { totalCount } } }`))).toBe('VALIDATION_FAILED');
  });

  it('allocates distinct numbers to concurrent deploys', async () => {
    const results = await Promise.all([6, 7, 8, 9, 10].map((i) => updateImage(k, web, `registry.example.com/web:c${i}`)));
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
  });

  it('refuses a bad image with INVALID_IMAGE and writes nothing', async () => {
    const before = { revisions: await count(k, 'revision'), audit: await count(k, 'audit_entry') };
    for (const image of ['Not An Image', 'registry.example.com/web', 'registry.example.com/Web:tag', 'web:tag with space', '']) {
      const res = await k.graphql(`mutation($image: String!) { updateImage(app: { name: "web" }, image: $image) { number } }`, { image });
      expect(codeOf(res), image).toBe('INVALID_IMAGE');
    }
    const badDeploy = await k.graphql('mutation { deployApp(input: { project: "yourr-name", environment: "test", name: "other", image: "nope nope", port: 80 }) { id } }');
    expect(codeOf(badDeploy)).toBe('INVALID_IMAGE');
    const badPort = await k.graphql('mutation { deployApp(input: { project: "yourr-name", environment: "test", name: "other", image: "nginx:1.27", port: 70000 }) { id } }');
    expect(codeOf(badPort)).toBe('VALIDATION_FAILED');
    const twoSources = await k.graphql('mutation { deployApp(input: { project: "yourr-name", name: "other", image: "nginx:1.27", gitUrl: "https://git.example.com/a.git", port: 80 }) { id } }');
    expect(codeOf(twoSources)).toBe('VALIDATION_FAILED');
    expect({ revisions: await count(k, 'revision'), audit: await count(k, 'audit_entry') }).toEqual(before);
    expect(ok(await k.graphql<{ apps: unknown[] }>('{ apps(name: "other") { id } }')).apps).toEqual([]);
    expect(await simStatus(k, '/apis/apps/v1/namespaces/yourr-name-test/deployments/other')).toBe(404);
  });

  it('refuses a second app of the same name in a namespace with APP_EXISTS', async () => {
    expect(codeOf(await k.graphql('mutation { deployApp(input: { namespace: "yourr-name-test", name: "web", image: "nginx:1.27", port: 80 }) { id } }'))).toBe('APP_EXISTS');
  });
});

describe('finding apps', () => {
  it('answers null for an unknown app and APP_NOT_FOUND in mutations', async () => {
    expect(ok(await k.graphql<{ app: unknown }>('{ app(ref: { name: "ghost" }) { id } }')).app).toBeNull();
    expect(codeOf(await k.graphql('mutation { updateImage(app: { name: "ghost" }, image: "nginx:1.27") { number } }'))).toBe('APP_NOT_FOUND');
    expect(codeOf(await k.graphql('{ app(ref: { project: "nope", environment: "test", name: "web" }) { id } }'))).toBe('PROJECT_NOT_FOUND');
    expect(codeOf(await k.graphql('{ app(ref: { project: "yourr-name", environment: "nope", name: "web" }) { id } }'))).toBe('ENVIRONMENT_NOT_FOUND');
  });

  it('refuses a name found in several namespaces with AMBIGUOUS_APP listing them', async () => {
    await deployApp(k, { project: 'yourr-name', environment: 'acc', name: 'web', image: 'registry.example.com/web:v1' });
    const res = await k.graphql('mutation { updateImage(app: { name: "web" }, image: "registry.example.com/web:v9") { number } }');
    expect(codeOf(res)).toBe('AMBIGUOUS_APP');
    expect(res.errors![0]!.message).toContain('yourr-name-acc, yourr-name-test');
    expect(res.errors![0]!.extensions).toMatchObject({ details: { namespaces: ['yourr-name-acc', 'yourr-name-test'] } });
    expect(codeOf(await k.graphql('{ app(ref: { project: "yourr-name", name: "web" }) { id } }'))).toBe('AMBIGUOUS_APP');
    const one = ok(await k.graphql<{ app: { namespace: string } }>('{ app(ref: { project: "yourr-name", environment: "acc", name: "web" }) { namespace } }'));
    expect(one.app.namespace).toBe('yourr-name-acc');
  });
});

describe('rollback', () => {
  const api = { project: 'yourr-name', environment: 'test', name: 'api' };
  let appId: string;

  it('refuses when nothing is live yet', async () => {
    appId = (await deployApp(k, { ...api, image: 'registry.example.com/api:ghi789b', commit: undefined })).id;
    expect(codeOf(await k.graphql('mutation { rollbackApp(app: { namespace: "yourr-name-test", name: "api" }) { number } }'))).toBe('NO_ROLLBACK_TARGET');
  });

  it('goes to the newest earlier live revision with a different image', async () => {
    await markLive(k, appId, 1);
    await updateImage(k, api, 'registry.example.com/api:def456a', 'def456a');
    await markLive(k, appId, 2);
    await updateImage(k, api, 'registry.example.com/api:def456a', 'def456a'); // same image again
    await markLive(k, appId, 3);
    await updateImage(k, api, 'registry.example.com/api:bad0001');
    await markFailed(k, appId, 4); // failed: never current
    await updateImage(k, api, 'registry.example.com/api:abc123f', 'abc123f');
    await markLive(k, appId, 5);
    await updateImage(k, api, 'registry.example.com/api:abc123f', 'abc123f'); // redeploy: #5 runs the current image too
    await markLive(k, appId, 6);

    const res = ok(
      await k.graphql<{ rollbackApp: RevisionView }>(`mutation($app: AppRef!) { rollbackApp(app: $app) { ${REVISION} } }`, { app: api }),
    ).rollbackApp;
    expect(res).toMatchObject({ number: 7, trigger: 'ROLLBACK', triggeredBy: 'admin', image: 'registry.example.com/api:def456a', commit: 'def456a', rollbackTo: 3, status: 'QUEUED' });
  });

  it('skips revisions that carry the current image', async () => {
    await markLive(k, appId, 7); // now def456a runs (#7, rollback to #3)
    const res = ok(await k.graphql<{ rollbackApp: RevisionView }>(`mutation($app: AppRef!) { rollbackApp(app: $app) { ${REVISION} } }`, { app: api })).rollbackApp;
    // #6 (abc123f) is the newest earlier live one with another image.
    expect(res).toMatchObject({ number: 8, image: 'registry.example.com/api:abc123f', rollbackTo: 6 });
  });

  it('goes to revision N with --revision N', async () => {
    await markLive(k, appId, 8);
    const res = ok(await k.graphql<{ rollbackApp: RevisionView }>(`mutation($app: AppRef!) { rollbackApp(app: $app, revision: 1) { ${REVISION} } }`, { app: api })).rollbackApp;
    expect(res).toMatchObject({ number: 9, trigger: 'ROLLBACK', image: 'registry.example.com/api:ghi789b', rollbackTo: 1 });
  });

  it('refuses an unknown revision, the current one, and an app with no other live image', async () => {
    await markLive(k, appId, 9);
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { rollbackApp(app: $app, revision: 99) { number } }`, { app: api }))).toBe('REVISION_NOT_FOUND');
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { rollbackApp(app: $app, revision: 9) { number } }`, { app: api }))).toBe('NO_ROLLBACK_TARGET');

    const solo = await deployApp(k, { project: 'yourr-name', environment: 'test', name: 'solo', image: 'registry.example.com/solo:v1' });
    await markLive(k, solo.id, 1);
    await updateImage(k, { namespace: 'yourr-name-test', name: 'solo' }, 'registry.example.com/solo:v1');
    await markLive(k, solo.id, 2);
    const res = await k.graphql('mutation { rollbackApp(app: { namespace: "yourr-name-test", name: "solo" }) { number } }');
    expect(codeOf(res)).toBe('NO_ROLLBACK_TARGET');
    expect(res.errors![0]!.message).toMatch(/--revision/);
    // #1 runs the image #2 runs: going "back" to it would change nothing, so nothing is recorded.
    const same = await k.graphql('mutation { rollbackApp(app: { namespace: "yourr-name-test", name: "solo" }, revision: 1) { number } }');
    expect(codeOf(same)).toBe('NO_ROLLBACK_TARGET');
    expect(same.errors![0]!.message).toMatch(/already runs registry.example.com\/solo:v1/);
    expect(await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM revision WHERE app_id = $1', [solo.id])).toEqual([{ n: 2 }]);
  });

  it('marks the current revision in the history', async () => {
    const nodes = (await history(api)).revisions.nodes;
    expect(nodes.filter((r) => r.current).map((r) => r.number)).toEqual([9]);
  });
});

describe('promotion', () => {
  const svc = { project: 'yourr-name', environment: 'test', name: 'svc' };

  it('refuses NOTHING_TO_PROMOTE before anything is live', async () => {
    await deployApp(k, { ...svc, image: 'registry.example.com/svc:v1' });
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { promoteApp(app: $app) { number } }`, { app: svc }))).toBe('NOTHING_TO_PROMOTE');
  });

  it('refuses APP_NOT_FOUND when the next environment has no such app, writing nothing', async () => {
    const { id } = ok(await k.graphql<{ app: { id: string } }>(`query($ref: AppRef!) { app(ref: $ref) { id } }`, { ref: svc })).app;
    await markLive(k, id, 1);
    const before = await count(k, 'revision');
    const res = await k.graphql(`mutation($app: AppRef!) { promoteApp(app: $app) { number } }`, { app: svc });
    expect(codeOf(res)).toBe('APP_NOT_FOUND');
    // The hint names a command that works as given: project and environment included.
    expect(res.errors![0]!.message).toContain('kip app deploy svc --project yourr-name --environment acc --image registry.example.com/svc:v1');
    expect(await count(k, 'revision')).toBe(before);
  });

  it('deploys the digest the source ran to the next environment with trigger promotion, keeping the tag for display', async () => {
    await deployApp(k, { project: 'yourr-name', environment: 'acc', name: 'svc', image: 'registry.example.com/svc:v0' });
    const { id } = ok(await k.graphql<{ app: { id: string } }>(`query($ref: AppRef!) { app(ref: $ref) { id } }`, { ref: svc })).app;
    const res = ok(
      await k.graphql<{ promoteApp: RevisionView & { imageTag: string; app: { namespace: string } } }>(
        `mutation($app: AppRef!) { promoteApp(app: $app) { ${REVISION} imageTag app { namespace } } }`,
        { app: svc },
      ),
    ).promoteApp;
    expect(res).toMatchObject({
      number: 2,
      trigger: 'PROMOTION',
      triggeredBy: 'admin',
      image: `registry.example.com/svc@${fakeDigest(id, 1)}`,
      imageTag: 'registry.example.com/svc:v1',
      app: { namespace: 'yourr-name-acc' },
      promotedFrom: { namespace: 'yourr-name-test', environment: 'test', app: 'svc', revision: 1 },
    });
  });

  it('refuses DIGEST_UNKNOWN when the live source revision has no recorded digest, writing nothing', async () => {
    const old = { project: 'yourr-name', environment: 'test', name: 'olden' };
    const app = await deployApp(k, { ...old, image: 'registry.example.com/olden:v1' });
    await deployApp(k, { ...old, environment: 'acc', image: 'registry.example.com/olden:v0' });
    await markLive(k, app.id, 1, null);
    const before = await count(k, 'revision');
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { promoteApp(app: $app) { number } }`, { app: old }))).toBe('DIGEST_UNKNOWN');
    expect(await count(k, 'revision')).toBe(before);
  });

  it('refuses NO_NEXT_ENVIRONMENT from the last environment', async () => {
    const prod = { project: 'yourr-name', environment: 'prod', name: 'svc' };
    const app = await deployApp(k, { ...prod, image: 'registry.example.com/svc:v1' });
    await markLive(k, app.id, 1);
    expect(codeOf(await k.graphql(`mutation($app: AppRef!) { promoteApp(app: $app) { number } }`, { app: prod }))).toBe('NO_NEXT_ENVIRONMENT');
  });
});

describe('git apps', () => {
  const site = { project: 'yourr-name', environment: 'test', name: 'site' };

  it('queues a build as the first revision, refuses images, and rebuilds at a commit', async () => {
    await deployApp(k, { ...site, gitUrl: 'https://git.example.com/site.git' });
    const first = (await history(site)).revisions.nodes;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ number: 1, image: null, trigger: 'MANUAL', status: 'QUEUED' });

    const wrong = await k.graphql(`mutation($app: AppRef!) { updateImage(app: $app, image: "nginx:1.27") { number } }`, { app: site });
    expect(codeOf(wrong)).toBe('WRONG_APP_SOURCE');
    expect(wrong.errors![0]!.message).toMatch(/rebuild/);

    const rebuilt = ok(
      await k.graphql<{ rebuildApp: { number: number; commit: string; build: { number: number; commit: string; status: string; revision: { number: number } } } }>(
        `mutation($app: AppRef!) { rebuildApp(app: $app, commit: "0123abcd") { number commit build { number commit status revision { number } } } }`,
        { app: site },
      ),
    ).rebuildApp;
    expect(rebuilt).toEqual({ number: 2, commit: '0123abcd', build: { number: 2, commit: '0123abcd', status: 'QUEUED', revision: { number: 2 } } });
    const builds = ok(await k.graphql<{ app: { builds: { number: number }[] } }>(`query($ref: AppRef!) { app(ref: $ref) { builds { number } } }`, { ref: site })).app.builds;
    expect(builds.map((b) => b.number)).toEqual([2, 1]);
    expect(codeOf(await k.graphql(`mutation { rebuildApp(app: { name: "solo" }) { number } }`))).toBe('WRONG_APP_SOURCE');
  });
});

describe('deleteApp', () => {
  it('deletes the workload, the webhook Secret and the rows', async () => {
    const app = await deployApp(k, { project: 'yourr-name', environment: 'test', name: 'gone', image: 'registry.example.com/gone:v1' });
    ok(await k.graphql('mutation { enableWebhook(app: { namespace: "yourr-name-test", name: "gone" }) { token } }'));
    expect(await simStatus(k, '/api/v1/namespaces/yourr-name-test/secrets/gone-webhook')).toBe(200);
    expect(ok(await k.graphql<{ deleteApp: boolean }>('mutation { deleteApp(app: { namespace: "yourr-name-test", name: "gone" }) }')).deleteApp).toBe(true);
    expect(await simStatus(k, '/apis/apps/v1/namespaces/yourr-name-test/deployments/gone')).toBe(404);
    expect(await simStatus(k, '/api/v1/namespaces/yourr-name-test/secrets/gone-webhook')).toBe(404);
    expect(await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM revision WHERE app_id = $1', [app.id])).toEqual([{ n: 0 }]);
    expect(ok(await k.graphql<{ app: unknown }>('{ app(ref: { namespace: "yourr-name-test", name: "gone" }) { id } }')).app).toBeNull();
  });
});
