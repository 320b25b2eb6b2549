import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createGitRepo, type GitRepo } from '../../test/support/git-repo.js';
import { deployApp, fakeDigest, markLive, ok } from './helpers.js';

/**
 * promotionPreview: what a promotion would change, read only. A git app's commits come from
 * `git log` of its repository (a local bare repository here, allowed with KIPPER_GIT_PROTOCOLS).
 */
let k: RunningKipper;
let repo: GitRepo;
const commits: string[] = [];

interface Preview {
  from: string;
  to: string;
  image: string | null;
  imageTag: string | null;
  source: { number: number; digest: string | null } | null;
  target: { number: number; commit: string | null } | null;
  commits: { sha: string; subject: string }[] | null;
  commitsNote: string | null;
  differences: { setting: string; source: string | null; target: string | null }[];
  requiredApprovals: number;
  blockedCode: string | null;
}

const PREVIEW = 'from to image imageTag source { number digest } target { number commit } commits { sha subject } commitsNote differences { setting source target } requiredApprovals blockedCode';

async function preview(app: Record<string, unknown>): Promise<Preview> {
  return ok(await k.graphql<{ promotionPreview: Preview }>(`query($app: AppRef!) { promotionPreview(app: $app) { ${PREVIEW} } }`, { app })).promotionPreview;
}

/** What a finished build and rollout leave: the revision's image and commit, live with a digest. */
async function builtAndLive(appId: string, commit: string, image: string): Promise<void> {
  await k.kipper.services.dataSource.query(`UPDATE revision SET commit = $2, image = $3 WHERE app_id = $1 AND number = 1`, [appId, commit, image]);
  await markLive(k, appId, 1);
}

beforeAll(async () => {
  repo = createGitRepo();
  for (const message of ['Start the shop', 'Add the gift card form', 'Fix the checkout total']) commits.push(repo.commit(message));
  k = await startKipper({ env: { KIPPER_GIT_PROTOCOLS: 'file,https', KIPPER_GIT_ALLOW_PRIVATE: 'true' } });
  ok(await k.graphql('mutation { createProject(input: { name: "prev", environments: ["test", "prod"] }) { id } }'));
}, 60_000);

afterAll(async () => {
  await k?.stop();
  repo?.remove();
});

describe('promotionPreview', () => {
  it('lists the image, the digest and the commits a git app\'s promotion brings, and changes nothing', async () => {
    const test = await deployApp(k, { project: 'prev', environment: 'test', name: 'shop', gitUrl: repo.url, env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'API_TOKEN', value: 'test-token' }] });
    const prod = await deployApp(k, { project: 'prev', environment: 'prod', name: 'shop', gitUrl: repo.url, replicas: 3, env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'API_TOKEN', value: 'prod-token' }] });
    await builtAndLive(test.id, commits[2]!, `registry.example.com/shop:${commits[2]!.slice(0, 7)}`);
    await builtAndLive(prod.id, commits[0]!, `registry.example.com/shop:${commits[0]!.slice(0, 7)}`);
    const before = (await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM revision')) as { n: number }[];

    const p = await preview({ project: 'prev', environment: 'test', name: 'shop' });
    expect(p).toMatchObject({
      from: 'test',
      to: 'prod',
      image: `registry.example.com/shop@${fakeDigest(test.id, 1)}`,
      imageTag: `registry.example.com/shop:${commits[2]!.slice(0, 7)}`,
      source: { number: 1, digest: fakeDigest(test.id, 1) },
      target: { number: 1, commit: commits[0] },
      commits: [
        { sha: commits[2], subject: 'Fix the checkout total' },
        { sha: commits[1], subject: 'Add the gift card form' },
      ],
      commitsNote: null,
      requiredApprovals: 0,
      blockedCode: null,
    });
    // Secret-looking values are never shown.
    expect(p.differences).toEqual([
      { setting: 'replicas', source: '1', target: '3' },
      { setting: 'env:API_TOKEN', source: '••••', target: '••••' },
      { setting: 'env:LOG_LEVEL', source: 'debug', target: 'info' },
    ]);
    expect((await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM revision')) as { n: number }[]).toEqual(before);
  });

  it('says why commits are not listed for an image app, and what would refuse the promotion', async () => {
    const api = await deployApp(k, { project: 'prev', environment: 'test', name: 'api', image: 'registry.example.com/api:v1' });
    await markLive(k, api.id, 1);
    const p = await preview({ project: 'prev', environment: 'test', name: 'api' });
    expect(p).toMatchObject({ commits: null, commitsNote: 'commits not listed: the app deploys images, Kipper does not know their git history', blockedCode: 'APP_NOT_FOUND', target: null });
  });
});
