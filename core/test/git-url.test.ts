import { describe, expect, it } from 'vitest';
import { DEFAULT_GIT_PROTOCOLS, gitHostProblem, gitUrlProblem, parseGitUrl, redactGitUrl } from '@kipper/core';

describe('git URLs of git apps', () => {
  it('takes https, ssh and scp-like URLs', () => {
    for (const url of ['https://github.com/acme/api.git', 'ssh://git@gitlab.com/acme/api.git', 'git@github.com:acme/api.git', 'git://example.com/acme/api']) {
      expect(gitUrlProblem(url, DEFAULT_GIT_PROTOCOLS), url).toBeNull();
    }
  });

  it('refuses credentials, which would be stored, audited and passed to the builder', () => {
    expect(gitUrlProblem('https://user:secret@github.com/acme/api.git', DEFAULT_GIT_PROTOCOLS)).toMatch(/credentials/);
    expect(gitUrlProblem('https://ghp_token@github.com/acme/api.git', DEFAULT_GIT_PROTOCOLS)).toMatch(/credentials/);
    expect(redactGitUrl('https://user:secret@github.com/acme/api.git')).toBe('https://github.com/acme/api.git');
  });

  it('refuses what git would read as an option, and transports that are not allowed', () => {
    expect(gitUrlProblem('ssh://-oProxyCommand=touch%20x/repo', DEFAULT_GIT_PROTOCOLS)).toMatch(/starting with "-"/);
    expect(gitUrlProblem('-oProxyCommand@host:repo', DEFAULT_GIT_PROTOCOLS)).toMatch(/starting with "-"/);
    expect(gitUrlProblem('-oProxyCommand=x@host:repo', DEFAULT_GIT_PROTOCOLS)).not.toBeNull();
    expect(gitUrlProblem('ext::sh -c touch% /tmp/x', DEFAULT_GIT_PROTOCOLS)).not.toBeNull();
    expect(gitUrlProblem('file:///srv/git/api.git', DEFAULT_GIT_PROTOCOLS)).toMatch(/does not allow/);
    expect(gitUrlProblem('file:///srv/git/api.git', [...DEFAULT_GIT_PROTOCOLS, 'file'])).toBeNull();
    expect(gitUrlProblem('http://example.com/api.git', DEFAULT_GIT_PROTOCOLS)).toMatch(/does not allow/);
  });
});

describe('git URLs are normalised once and checked in that form', () => {
  const parse = (url: string) => parseGitUrl(url, DEFAULT_GIT_PROTOCOLS);

  it('stores the re-serialised URL', () => {
    expect(parse('https://GitHub.com/acme/api.git')).toEqual({ ok: true, url: 'https://github.com/acme/api.git', protocol: 'https', host: 'github.com' });
    expect(parse('ssh://git@gitlab.com:2222/acme/api.git')).toMatchObject({ ok: true, url: 'ssh://git@gitlab.com:2222/acme/api.git', host: 'gitlab.com' });
    expect(parse('git@github.com:acme/api.git')).toMatchObject({ ok: true, url: 'git@github.com:acme/api.git', host: 'github.com' });
  });

  it('refuses what the review found accepted', () => {
    for (const [url, problem] of [
      ['ssh://%2DoProxyCommand=touch%20%2Ftmp%2Fx/x', /no valid host/],
      ['https:///x/y', /no host/],
      ['https://github.com/acme/api.git\nforged line', /control characters/],
      ['https://github.com/acme/\tapi.git', /control characters/],
      ['https://github.com/acme/\u001b[31mapi.git', /control characters/],
      ['https://github.com/acme/api%0a.git', /control characters/],
      ['https://github.com/acme/api.git?upload-pack=x', /query or fragment/],
      ['ssh://-git@example.com/acme/api.git', /user/],
      ['git@-host:acme/api.git', /starting with "-"/],
    ] as const) {
      const parsed = parse(url);
      expect(parsed.ok, url).toBe(false);
      if (!parsed.ok) expect(parsed.problem, url).toMatch(problem);
    }
  });
});

describe('git hosts inside Kipper\'s own network', () => {
  it('are refused by address', async () => {
    for (const host of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'localhost']) {
      expect(await gitHostProblem(host, false), host).toMatch(/loopback, link-local or private address: .*KIPPER_GIT_ALLOW_PRIVATE=true/);
    }
    for (const host of ['140.82.112.3', '2606:50c0::1']) expect(await gitHostProblem(host, false), host).toBeNull();
  });

  it('are refused by what their name resolves to, unless KIPPER_GIT_ALLOW_PRIVATE', async () => {
    const resolveTo = (address: string) => (async () => [{ address, family: 4 }]) as never;
    expect(await gitHostProblem('git.internal.example', false, resolveTo('10.0.0.5'))).toMatch(/git\.internal\.example \(10\.0\.0\.5\)/);
    expect(await gitHostProblem('git.internal.example', true, resolveTo('10.0.0.5'))).toBeNull();
    expect(await gitHostProblem('github.com', false, resolveTo('140.82.112.3'))).toBeNull();
    expect(await gitHostProblem('nowhere.invalid', false, (async () => Promise.reject(new Error('ENOTFOUND'))) as never)).toBeNull();
  });
});
