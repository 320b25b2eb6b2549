import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecret, sha, until } from '../../test/support/feedback.js';
import { FakeGitHub } from '../../test/support/github-api.js';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip } from './support/kip-process.js';

const P = ['--project', 'shop', '--environment', 'test'];
const TOKEN = 'ghp_cliFeedbackToken';

let kipper: RunningKipper;
let github: FakeGitHub;
let configHome: string;
const kip = (args: string[]) => runKip(kipper, configHome, args);

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-feedback-'));
  github = await new FakeGitHub(TOKEN, 'acme/api').start();
  kipper = await startKipper({ worker: true, env: { KIPPER_FEEDBACK_ALLOW_PRIVATE: 'true' } });
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await github?.close();
  await rm(configHome, { recursive: true, force: true });
});

/** The built kip: `kip app feedback github|list|off` against a real Kipper and a local GitHub. */
describe('kip app feedback', () => {
  it('connects an app to GitHub, lists what was reported, and disconnects it', async () => {
    expect((await kip(['project', 'create', 'shop'])).code).toBe(0);
    expect((await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:v1', '--port', '3000', ...P, '--wait'])).code).toBe(0);

    const missing = await kip(['app', 'feedback', 'github', 'api', ...P, '--repo', 'acme/api', '--token-from-secret', 'github-token', '--api-url', github.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Secret github-token with key token not found in namespace shop-test: create it first, e.g. kubectl create secret generic github-token --namespace shop-test --from-literal=token=<token>');

    await createSecret(kipper.sim.url, 'shop-test', 'github-token', { pat: TOKEN });
    const on = await kip(['app', 'feedback', 'github', 'api', ...P, '--repo', 'acme/api', '--token-from-secret', 'github-token:pat', '--api-url', github.url]);
    expect(on.err).toBe('');
    expect(on.code).toBe(0);
    expect(on.lines).toEqual([
      '✔ api reports to GitHub acme/api',
      'Every revision with a commit: commit status kipper/test and a deployment in environment test.',
      `API: ${github.url}`,
      'Token: Secret github-token (key pat) in shop-test',
    ]);

    const commit = sha();
    expect((await kip(['app', 'update', 'api', ...P, '--image', 'registry.example.com/api:v2', '--commit', commit, '--wait'])).code).toBe(0);
    await until(() => github.statusesOf(commit, 'kipper/test').some((s) => s.state === 'success'), 10_000, () => JSON.stringify(github.requests.slice(-4)));
    expect(github.problems).toEqual([]);
    // The report is recorded once GitHub answered the last call.
    await until(async () => (await kip(['app', 'feedback', 'list', 'api', ...P])).out.includes(' success: '), 10_000, () => 'the success report in kip app feedback list');

    const list = await kip(['app', 'feedback', 'list', 'api', ...P]);
    expect(list.code).toBe(0);
    expect(list.lines[0]).toMatch(new RegExp(`^GitHub acme/api \\(${github.url.replace(/[.]/g, '\\.')}\\), token from Secret github-token:pat, by admin `));
    expect(list.lines[1]).toBe(`  #2 ${commit.slice(0, 12)} success: Revision #2 is live: registry.example.com/api:v2`);

    const json = JSON.parse((await kip(['app', 'feedback', 'list', 'api', ...P, '-o', 'json'])).out) as { feedback: { provider: string; repository: string; lastReports: { stage: string }[] }[] };
    expect(json.feedback).toMatchObject([{ provider: 'GITHUB', repository: 'acme/api', lastReports: [{ stage: 'SUCCESS' }] }]);

    const off = await kip(['app', 'feedback', 'off', 'api', ...P, '--provider', 'github']);
    expect(off.code).toBe(0);
    expect(off.lines[0]).toBe('✔ api no longer reports to GitHub acme/api');
    const again = await kip(['app', 'feedback', 'off', 'api', ...P, '--provider', 'github']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('App api is not connected to github: there is nothing to disconnect');
    expect((await kip(['app', 'feedback', 'list', 'api', ...P])).lines[0]).toBe('api (shop-test) reports its deploys nowhere.');

    const usage = await kip(['app', 'feedback', 'gitlab', 'api', ...P, '--repo', 'acme/api', '--token-from-secret', 'a:b:c']);
    expect(usage.code).toBe(2);
  });
});
