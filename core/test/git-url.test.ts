import { describe, expect, it } from 'vitest';
import { DEFAULT_GIT_PROTOCOLS, gitUrlProblem, redactGitUrl } from '@kipper/core';

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
