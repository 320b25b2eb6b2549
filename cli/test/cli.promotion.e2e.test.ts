import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { fakeDigest, markLive } from '../../api/test/helpers.js';
import { runKip } from './support/kip-process.js';

/**
 * Promotion, approvals and freezes with the built `kip` against a real Kipper (no worker: the
 * tests mark revisions live with a digest, as the worker does after a rollout). vera requests,
 * sam and the admin approve.
 */
const PASSWORD = 'a long enough password for tests';
let kipper: RunningKipper;
const homes: Record<string, string> = {};

const admin = (args: string[]) => runKip(kipper, homes.admin!, args);
const as = (person: 'vera' | 'sam') => (args: string[]) => runKip(kipper, homes[person]!, args, { KIPPER_SERVER: '', KIPPER_TOKEN: '' });
const vera = as('vera');
const sam = as('sam');
const TEST = ['--project', 'shop', '--environment', 'test'];
const PROD = ['--project', 'shop', '--environment', 'prod'];

async function appId(environment: string): Promise<string> {
  const rows = (await kipper.kipper.services.dataSource.query(`SELECT id FROM app WHERE namespace = $1 AND name = 'api'`, [`shop-${environment}`])) as { id: string }[];
  return rows[0]!.id;
}

beforeAll(async () => {
  for (const who of ['admin', 'vera', 'sam']) homes[who] = await mkdtemp(join(tmpdir(), `kip-promo-${who}-`));
  kipper = await startKipper();
  expect((await admin(['project', 'create', 'shop', '--environments', 'test,prod'])).code).toBe(0);
  for (const person of ['vera', 'sam'] as const) {
    expect((await runKip(kipper, homes.admin!, ['user', 'create', person, '--password-stdin'], {}, `${PASSWORD}\n`)).code).toBe(0);
    expect((await admin(['project', 'member', 'add', 'shop', person, '--role', person === 'vera' ? 'deployer' : 'admin'])).code).toBe(0);
    const login = await runKip(kipper, homes[person]!, ['login', '--server', kipper.url, '--name', person, '--password-stdin'], { KIPPER_SERVER: '', KIPPER_TOKEN: '' }, `${PASSWORD}\n`);
    expect(login.code, login.err).toBe(0);
  }
}, 90_000);

afterAll(async () => {
  await kipper?.stop();
  for (const home of Object.values(homes)) await rm(home, { recursive: true, force: true });
});

describe('kip app promote, kip project environment set, kip approvals, approve and reject', () => {
  it('--dry-run names the digest it would pin and the command that creates a missing target app', async () => {
    expect((await admin(['app', 'deploy', 'api', ...TEST, '--image', 'registry.example.com/api:v1', '--port', '8080'])).code).toBe(0);
    await markLive(kipper, await appId('test'), 1);
    const dry = await admin(['app', 'promote', 'api', ...TEST, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`image after:  registry.example.com/api:v1 (${fakeDigest(await appId('test'), 1).slice(0, 19)}, test revision #1)`);
    expect(dry.out).toContain(`deploys:      registry.example.com/api@${fakeDigest(await appId('test'), 1)}`);
    expect(dry.out).toContain('kip app deploy api --project shop --environment prod --image registry.example.com/api:v1');
    expect(dry.lines.at(-1)).toBe('Dry run: nothing was changed.');
  });

  it('holds vera\'s promotion into prod (2 approvals) until sam and the admin approve; vera cannot approve her own', async () => {
    expect((await admin(['app', 'deploy', 'api', ...PROD, '--image', 'registry.example.com/api:v0', '--port', '8080', '--replicas', '3'])).code).toBe(0);
    await markLive(kipper, await appId('prod'), 1);
    const set = await admin(['project', 'environment', 'set', 'shop', 'prod', '--approvals', '2', '--protected', '-o', 'json']);
    expect(set.code, set.err).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ environment: 'prod', approvals: 2, approvers: ['role:admin'], protected: true, frozen: null });

    const dry = await vera(['app', 'promote', 'api', ...TEST, '--dry-run', '-o', 'json']);
    expect(JSON.parse(dry.out)).toMatchObject({
      from: 'test',
      to: 'prod',
      protected: true,
      before: { number: 1, image: 'registry.example.com/api:v0' },
      after: { number: 1, imageTag: 'registry.example.com/api:v1' },
      differences: [{ setting: 'replicas', source: '1', target: '3' }],
      approvals: { required: 2, approvers: ['role:admin'] },
    });

    const promoted = await vera(['app', 'promote', 'api', ...TEST, '--yes']);
    expect(promoted.code, promoted.err).toBe(0);
    expect(promoted.out).toContain('Revision #2 in shop-prod awaits approval');

    expect((await vera(['approvals'])).out).toContain('Nothing awaits your approval. 1 other waits for other approvers (--all).');
    const listed = await sam(['approvals', '-o', 'json']);
    expect(JSON.parse(listed.out).approvals).toMatchObject([{ app: 'api', environment: 'prod', revision: 2, requestedBy: 'vera', approved: 0, required: 2, canDecide: true }]);

    const own = await vera(['approve', 'api', ...PROD, '--revision', '2']);
    expect(own.code).toBe(1);
    expect(own.err).toMatch(/vera requested revision #2 of api: someone else has to approve or reject it/);
    const first = await sam(['approve', 'api', ...PROD, '--revision', '2', '--comment', 'tested in test']);
    expect(first.lines[0]).toBe('✔ Approved revision #2 of api (1/2): it awaits 1 more approval');
    const again = await sam(['approve', 'api', ...PROD, '--revision', '2']);
    expect(again.err).toMatch(/each person counts once/);
    const second = await admin(['approve', 'api', ...PROD, '--revision', '2', '-o', 'json']);
    expect(JSON.parse(second.out)).toMatchObject({ decision: 'approve', approved: 2, required: 2, revision: { number: 2, status: 'queued', image: `registry.example.com/api@${fakeDigest(await appId('test'), 1)}` } });
  });

  it('history shows the digest and where a promotion came from, and one app across the pipeline', async () => {
    await markLive(kipper, await appId('prod'), 2, fakeDigest(await appId('test'), 1));
    const wide = await admin(['app', 'history', 'api', ...PROD, '--wide']);
    expect(wide.lines[0]!.replace(/ +/g, ' ')).toBe('# IMAGE COMMIT TRIGGER TRIGGERED BY DIGEST PROMOTED FROM WHEN');
    expect(wide.lines[1]!.replace(/ +/g, ' ')).toMatch(new RegExp(`^2 registry.example.com/api:v1 - promotion vera ${fakeDigest(await appId('test'), 1).slice(0, 19)} test #1 `));
    const all = await admin(['app', 'history', 'api', '--project', 'shop', '--all-environments']);
    expect(all.lines[0]!.replace(/ +/g, ' ').trim()).toBe('TEST PROD');
    expect(all.lines[1]).toContain('← test #1');
    const status = await admin(['app', 'status', 'api', ...PROD]);
    expect(status.out).toContain(`Digest:`);
    expect(status.out).toContain(`${fakeDigest(await appId('test'), 1)} (promoted from test #1)`);
  });

  it('a rejection ends a revision; a frozen environment refuses with the reason, the admin may roll back', async () => {
    await vera(['app', 'update', 'api', ...PROD, '--image', 'registry.example.com/api:v2']);
    const rejected = await sam(['reject', 'api', ...PROD, '--revision', '3', '--comment', 'not before the sale']);
    expect(rejected.lines[0]).toBe('✔ Rejected revision #3 of api: it will not roll out');
    const history = JSON.parse((await admin(['app', 'history', 'api', ...PROD, '-o', 'json'])).out) as { revisions: { number: number; status: string; failureReason: string }[] };
    expect(history.revisions[0]).toMatchObject({ number: 3, status: 'rejected', failureReason: 'rejected by sam: not before the sale' });

    expect((await admin(['project', 'environment', 'set', 'shop', 'prod', '--approvals', '0', '--freeze', 'release week'])).code).toBe(0);
    const refused = await vera(['app', 'update', 'api', ...PROD, '--image', 'registry.example.com/api:v3']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Environment prod is frozen by admin .*: release week/);
    const rollback = await sam(['app', 'rollback', 'api', ...PROD]);
    expect(rollback.code, rollback.err).toBe(0);
    expect((await admin(['project', 'environment', 'set', 'shop', 'prod', '--unfreeze'])).lines).toContain('Frozen:    no');
  });
});
