import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { runKip } from './support/kip-process.js';

/** The built kip: `kip audit` and `kip app history --wide` against a real Kipper (no worker). */
const P = ['--project', 'shop', '--environment', 'test'];
const squeeze = (line: string) => line.replace(/ +/g, ' ');

let kipper: RunningKipper;
let configHome: string;
const kip = (args: string[]) => runKip(kipper, configHome, args);

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'kip-audit-'));
  kipper = await startKipper();
  expect((await kip(['project', 'create', 'shop'])).code).toBe(0);
  expect((await kip(['project', 'create', 'blog'])).code).toBe(0);
  expect((await kip(['app', 'deploy', '--name', 'api', '--image', 'registry.example.com/api:v1', '--port', '3000', ...P])).code).toBe(0);
  expect((await kip(['app', 'configure', 'api', ...P, '--deploy-policy', 'every'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await kipper?.stop();
  await rm(configHome, { recursive: true, force: true });
});

describe('kip audit', () => {
  it('shows who changed what, newest first, with what changed and from where', async () => {
    const r = await kip(['audit', '--project', 'shop']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(squeeze(r.lines[0]!)).toBe('WHEN ACTOR ACTION TARGET DETAILS SOURCE');
    const rows = r.lines.slice(1).map(squeeze);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^just now admin app\.configure shop-test\/api deployPolicy: latest → every (::ffff:)?127\.0\.0\.1$/);
    expect(rows[1]).toMatch(/^just now admin revision\.manual shop-test\/api image=registry\.example\.com\/api:v1 status=queued revision=1 /);
    expect(rows[3]).toMatch(/^just now admin project\.create shop environments=\["test","acc","prod"\] /);
  });

  it('filters by app, actor, action and since; pages with --limit and --after; -o json', async () => {
    const configure = await kip(['audit', '--app', 'api', ...P, '--action', 'app.', '-o', 'json']);
    expect(configure.code).toBe(0);
    const json = JSON.parse(configure.out) as { entries: { action: string; actorKind: string; project: string; app: string; details: unknown; requestId: string }[]; nextCursor: null };
    expect(json.entries.map((e) => e.action)).toEqual(['app.configure', 'app.create']);
    expect(json.entries[0]).toMatchObject({ actorKind: 'person', project: 'shop', app: 'shop-test/api', details: { before: { deployPolicy: 'latest' }, after: { deployPolicy: 'every' } } });
    expect(json.nextCursor).toBeNull();

    expect((await kip(['audit', '--actor', 'kipper'])).lines).toEqual(['No audit entries match.']);
    expect((await kip(['audit', '--since', '1h'])).lines).toHaveLength(6);

    const first = await kip(['audit', '--limit', '2']);
    expect(first.lines).toHaveLength(4);
    const hint = first.lines[3]!;
    expect(hint).toMatch(/^More entries: add --after \S+$/);
    const rest = await kip(['audit', '--after', hint.split(' ').at(-1)!]);
    expect(rest.lines.slice(1).map((l) => squeeze(l).split(' ')[4])).toEqual(['shop-test/api', 'blog', 'shop']);
  });

  it('refuses bad filters with exit code 2 or the API\'s message', async () => {
    const since = await kip(['audit', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.err).toContain('--since must be a duration (30m, 24h, 7d, 2w) or a time (2026-12-01T08:00:00Z), got "yesterday".');
    const project = await kip(['audit', '--project', 'nope']);
    expect(project.code).toBe(1);
    expect(project.err).toContain('Project nope does not exist');
  });
});

describe('kip app history --wide', () => {
  it('adds TRIGGERED BY, DIGEST and PROMOTED FROM', async () => {
    const r = await kip(['app', 'history', 'api', ...P, '--wide']);
    expect(r.code).toBe(0);
    expect(squeeze(r.lines[0]!)).toBe('# IMAGE COMMIT TRIGGER TRIGGERED BY DIGEST PROMOTED FROM WHEN');
    expect(squeeze(r.lines[1]!)).toBe('1 registry.example.com/api:v1 - manual admin - - just now (queued)');
    expect(squeeze((await kip(['app', 'history', 'api', ...P])).lines[0]!)).toBe('# IMAGE COMMIT TRIGGER WHEN');
  });
});
