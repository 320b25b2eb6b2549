import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configPath, normaliseServer, resolveConfig, writeConfig } from '../src/config.js';
import { runCli } from '../src/program.js';
import { startFakeKipper, type FakeKipper } from './support/fake-kipper.js';
import { captureIo } from './support/io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kip-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('config file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' })).toBe('/x/cfg/kipper/config.json');
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/kipper/config.json');
    expect(configPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/kipper/config.json');
  });

  it('is written with mode 0600 in a directory with mode 0700', async () => {
    const env = { XDG_CONFIG_HOME: dir };
    await mkdir(join(dir, 'kipper'), { mode: 0o755 });
    const path = await writeConfig(env, { server: 'https://k.example.com', token: 'secret' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'kipper'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ server: 'https://k.example.com', token: 'secret' });
  });

  it('KIPPER_SERVER and KIPPER_TOKEN override the file, each on its own', async () => {
    const env = { XDG_CONFIG_HOME: dir };
    await writeConfig(env, { server: 'https://file.example.com', token: 'file-token' });
    expect(await resolveConfig(env)).toMatchObject({ server: 'https://file.example.com', token: 'file-token', tokenFrom: 'config' });
    expect(await resolveConfig({ ...env, KIPPER_TOKEN: 'env-token' })).toMatchObject({
      server: 'https://file.example.com',
      token: 'env-token',
      tokenFrom: 'env',
    });
    expect(await resolveConfig({ ...env, KIPPER_SERVER: 'http://env.example.com:8080/' })).toMatchObject({
      server: 'http://env.example.com:8080',
      token: 'file-token',
    });
  });

  it('defaults to the local API and no token', async () => {
    expect(await resolveConfig({ XDG_CONFIG_HOME: dir })).toMatchObject({ server: 'http://127.0.0.1:8080', token: undefined });
  });

  it('says so when the file is not JSON', async () => {
    await mkdir(join(dir, 'kipper'));
    await writeFile(join(dir, 'kipper', 'config.json'), '{oops');
    await expect(resolveConfig({ XDG_CONFIG_HOME: dir })).rejects.toThrow(/is not valid JSON/);
  });

  it('normalises server URLs', () => {
    expect(normaliseServer('https://k.example.com/')).toBe('https://k.example.com');
    expect(normaliseServer('https://k.example.com/graphql')).toBe('https://k.example.com');
    expect(normaliseServer('http://k.example.com/base/')).toBe('http://k.example.com/base');
    expect(() => normaliseServer('k.example.com')).toThrow(/not a URL/);
    expect(() => normaliseServer('ftp://k.example.com')).toThrow(/not an http/);
  });
});

describe('kip login', () => {
  let fake: FakeKipper;
  beforeAll(async () => {
    fake = await startFakeKipper({ projects: () => [] });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('checks the token, then saves server and token with mode 0600', async () => {
    const io = captureIo({ env: { XDG_CONFIG_HOME: dir } });
    const code = await runCli(['login', '--server', `${fake.url}/`, '--token', fake.token], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain(`✔ Logged in to ${fake.url}`);
    const path = join(dir, 'kipper', 'config.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ server: fake.url, token: fake.token });
  });

  it('saves nothing when the token is refused', async () => {
    const io = captureIo({ env: { XDG_CONFIG_HOME: dir } });
    const code = await runCli(['login', '--server', fake.url, '--token', 'wrong'], io);
    expect(code).toBe(1);
    expect(io.err()).toContain('The API token was refused');
    await expect(stat(join(dir, 'kipper', 'config.json'))).rejects.toThrow();
  });

  it('--no-verify saves without asking the server', async () => {
    const io = captureIo({ env: { XDG_CONFIG_HOME: dir } });
    const code = await runCli(['login', '--server', 'http://127.0.0.1:59999', '--token', 't', '--no-verify'], io);
    expect(code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'kipper', 'config.json'), 'utf8'))).toEqual({
      server: 'http://127.0.0.1:59999',
      token: 't',
    });
  });

  it('needs --server and --token (usage, exit 2)', async () => {
    const io = captureIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await runCli(['login', '--token', 't'], io)).toBe(2);
    expect(io.err()).toContain("required option '--server <url>' not specified");
  });
});
