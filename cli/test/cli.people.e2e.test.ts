import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip } from './support/kip-process.js';

/**
 * People, members and tokens with the built `kip` against a real Kipper (no worker: nothing is
 * rolled out). The admin acts with the bootstrap credential; vera signs in with her password.
 */
const PASSWORD = 'vera has a long password';
let kipper: RunningKipper;
let adminHome: string;
let veraHome: string;

const admin = (args: string[], stdin?: string) => runKip(kipper, adminHome, args, {}, stdin);
/** vera's runs: her saved login only, no token in the environment. */
const vera = (args: string[], stdin?: string) => runKip(kipper, veraHome, args, { KIPPER_SERVER: '', KIPPER_TOKEN: '' }, stdin);

beforeAll(async () => {
  adminHome = await mkdtemp(join(tmpdir(), 'kip-people-'));
  veraHome = await mkdtemp(join(tmpdir(), 'kip-people-vera-'));
  kipper = await startKipper();
}, 60_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(adminHome, { recursive: true, force: true });
  await rm(veraHome, { recursive: true, force: true });
});

describe('kip user, project member, login and token', () => {
  it('kip user create reads the password from stdin; kip user list shows the person, never a password', async () => {
    const created = await admin(['user', 'create', 'vera', '--display-name', 'Vera V', '--password-stdin'], `${PASSWORD}\n`);
    expect(created.err).toBe('');
    expect(created.lines[0]).toBe('✔ User vera created');
    const list = await admin(['user', 'list', '-o', 'json']);
    const users = (JSON.parse(list.out) as { users: { name: string; displayName: string | null; admin: boolean }[] }).users;
    expect(users.map((u) => [u.name, u.displayName, u.admin])).toEqual([['admin', null, true], ['vera', 'Vera V', false]]);
    expect(list.out).not.toContain(PASSWORD);
    const text = await admin(['user', 'list']);
    expect(text.lines[0]!.replace(/ +/g, ' ')).toBe('NAME DISPLAY NAME ADMIN STATUS CREATED');
  });

  it('kip project member add, list and remove', async () => {
    expect((await admin(['project', 'create', 'alpha', '--environments', 'test,prod'])).code).toBe(0);
    const added = await admin(['project', 'member', 'add', 'alpha', 'vera', '--role', 'deployer']);
    expect(added.lines[0]).toBe('✔ vera is deployer of alpha');
    const list = JSON.parse((await admin(['project', 'member', 'list', 'alpha', '-o', 'json'])).out) as { members: { user: string; role: string }[] };
    expect(list.members.map((m) => [m.user, m.role])).toEqual([['vera', 'deployer']]);
    const bad = await admin(['project', 'member', 'add', 'alpha', 'vera', '--role', 'owner']);
    expect(bad.code).toBe(2);
  });

  it('kip login with name and password stores a personal token, never the password', async () => {
    const login = await vera(['login', '--server', kipper.url, '--name', 'vera', '--password-stdin'], `${PASSWORD}\n`);
    expect(login.err).toBe('');
    expect(login.code).toBe(0);
    expect(login.lines).toContain(`Created the personal token "kip on ${hostname()}" (kip token list; kip token revoke "kip on ${hostname()}")`);
    const saved = await readFile(join(veraHome, 'kipper', 'config.json'), 'utf8').catch(async () => readFile(join(veraHome, '.config', 'kipper', 'config.json'), 'utf8'));
    expect(saved).not.toContain(PASSWORD);
    expect(saved).toMatch(/"token": ?"kip_/);
    const wrong = await vera(['login', '--server', kipper.url, '--name', 'vera', '--password-stdin'], 'not it\n');
    expect([wrong.code, wrong.err.trim()]).toEqual([1, 'Error: Wrong name or password. Nothing was saved.']);
    // vera acts as herself: a deployer of alpha cannot create projects.
    const denied = await vera(['project', 'create', 'beta']);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/instance admin/);
  });

  it('kip token create prints a scoped token once; kip token list never shows it', async () => {
    const created = await vera(['token', 'create', 'ci', '--project', 'alpha', '--environment', 'test', '--role', 'deployer', '--expires', '90d', '-o', 'json']);
    expect(created.err).toBe('');
    const token = (JSON.parse(created.out) as { token: string }).token;
    expect(token).toMatch(/^kip_/);
    const list = await vera(['token', 'list']);
    expect(list.out).not.toContain(token);
    const row = list.lines.find((l) => l.startsWith('ci '))!.replace(/ +/g, ' ');
    expect(row).toMatch(/^ci vera alpha\/test deployer .* never \d{4}-\d\d-\d\d$/);
    expect((await vera(['token', 'create', 'x', '--role', 'viewer'])).code).toBe(2);
  });

  it('kip token revoke: the next request with the token fails and its open subscription closes with 4403', async () => {
    const created = await vera(['token', 'create', 'watcher', '--project', 'alpha', '--role', 'viewer', '-o', 'json']);
    const token = (JSON.parse(created.out) as { token: string }).token;
    const closed = new Promise<number>((resolve) => {
      const client = createClient({ url: kipper.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` }, on: { closed: (e) => resolve((e as { code: number }).code) }, onNonLazyError: () => undefined });
      client.subscribe({ query: 'subscription { projectEvents(project: "alpha") { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    const before = await runKip(kipper, adminHome, ['project', 'list'], { KIPPER_TOKEN: token });
    expect(before.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const revoked = await vera(['token', 'revoke', 'watcher']);
    expect(revoked.lines[0]).toBe('✔ Token watcher revoked: it is refused from now on');
    const after = await runKip(kipper, adminHome, ['project', 'list'], { KIPPER_TOKEN: token });
    expect(after.code).toBe(1);
    expect(after.err).toContain('The API token was refused');
    expect(await closed).toBe(4403);
  });

  it('kip user passwd (admin reset) and kip user disable end vera\'s access', async () => {
    expect((await admin(['user', 'passwd', 'vera', '--password-stdin'], 'a brand new password\n')).code).toBe(0);
    const disabled = await admin(['user', 'disable', 'vera']);
    expect(disabled.lines[0]).toBe('✔ User vera disabled: their sessions and tokens no longer work');
    const refused = await vera(['project', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('The API token was refused');
  });
});
