import { describe, expect, it } from 'vitest';
import { checkAudience, checkIssuer, checkSubject, ciActor, subjectMatches } from '@kipper/core';

/** The rules of keyless CI trusts, pure (the issuer's DNS lookup is given). */
describe('subjectMatches', () => {
  it('matches exactly, and * as any run of characters (none included)', () => {
    const main = 'repo:acme/api:ref:refs/heads/main';
    expect(subjectMatches(main, main)).toBe(true);
    expect(subjectMatches(main, `${main}2`)).toBe(false);
    expect(subjectMatches(main, main.slice(0, -1))).toBe(false);
    expect(subjectMatches('repo:acme/api:ref:refs/heads/*', 'repo:acme/api:ref:refs/heads/feature/x')).toBe(true);
    expect(subjectMatches('repo:acme/api:ref:refs/heads/*', 'repo:acme/api:ref:refs/tags/v1')).toBe(false);
    expect(subjectMatches('repo:acme/*:ref:refs/heads/main', 'repo:acme/web:ref:refs/heads/main')).toBe(true);
    expect(subjectMatches('repo:acme/*:ref:refs/heads/main', 'repo:acme/web:ref:refs/heads/main-2')).toBe(false);
    expect(subjectMatches('repo:acme/*', 'repo:acme/')).toBe(true);
    expect(subjectMatches('repo:acme/**x', 'repo:acme/abx')).toBe(true);
  });

  it('treats every other character literally: no regular expression is built from a pattern', () => {
    expect(subjectMatches('repo:acme/api.*', 'repo:acme/apiX')).toBe(false);
    expect(subjectMatches('repo:acme/api.*', 'repo:acme/api.anything')).toBe(true);
    expect(subjectMatches('repo:acme/(a|b)', 'repo:acme/a')).toBe(false);
    expect(subjectMatches('repo:acme/a+', 'repo:acme/aa')).toBe(false);
    expect(subjectMatches('repo:acme/[ab]', 'repo:acme/a')).toBe(false);
    expect(subjectMatches('repo:acme/a?', 'repo:acme/a')).toBe(false);
    expect(subjectMatches('repo:acme/^$\\', 'repo:acme/^$\\')).toBe(true);
  });

  it('stays fast on patterns that make regular expressions backtrack', () => {
    const pattern = `a/${'*a'.repeat(30)}*b`;
    const subject = `a/${'a'.repeat(300)}`;
    const started = performance.now();
    expect(subjectMatches(pattern, subject)).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('trust inputs', () => {
  const publicAddress = (async () => [{ address: '140.82.112.3', family: 4 }]) as never;
  const privateAddress = (async () => [{ address: '10.1.2.3', family: 4 }]) as never;

  it('takes https issuers on public addresses, without a trailing slash', async () => {
    expect(await checkIssuer('https://token.actions.githubusercontent.com/', false, publicAddress)).toEqual({ ok: true, value: 'https://token.actions.githubusercontent.com' });
    expect(await checkIssuer(' https://gitlab.example.com/gitlab ', false, publicAddress)).toEqual({ ok: true, value: 'https://gitlab.example.com/gitlab' });
  });

  it('refuses a name that resolves inside, unless allowed; plain http only to such an address and only when allowed', async () => {
    const inside = await checkIssuer('https://gitlab.internal', false, privateAddress);
    expect(inside.ok ? '' : inside.problem).toMatch(/gitlab\.internal \(10\.1\.2\.3\).*KIPPER_CI_ISSUER_ALLOW_PRIVATE=true/);
    expect((await checkIssuer('https://gitlab.internal', true, privateAddress)).ok).toBe(true);
    expect((await checkIssuer('http://gitlab.internal', true, privateAddress)).ok).toBe(true);
    expect((await checkIssuer('http://gitlab.example.com', true, publicAddress)).ok).toBe(false);
    expect((await checkIssuer('http://gitlab.internal', false, privateAddress)).ok).toBe(false);
  });

  it('refuses subjects that are empty, spaced, or wildcards before the owner', () => {
    expect(checkSubject(' repo:acme/api:ref:refs/heads/main ')).toEqual({ ok: true, value: 'repo:acme/api:ref:refs/heads/main' });
    expect(checkSubject('project_path:acme/*:ref_type:branch:ref:main').ok).toBe(true);
    for (const bad of ['', '   ', '*', 'repo:*', 'repo:acme*', '*/api', 'repo:acme/api\nx', 'x'.repeat(301)]) expect(checkSubject(bad).ok, JSON.stringify(bad)).toBe(false);
  });

  it('defaults the audience to kipper', () => {
    expect(checkAudience(undefined)).toEqual({ ok: true, value: 'kipper' });
    expect(checkAudience('  ')).toEqual({ ok: true, value: 'kipper' });
    expect(checkAudience('kipper-prod')).toEqual({ ok: true, value: 'kipper-prod' });
    expect(checkAudience('a b').ok).toBe(false);
  });

  it('records keyless deploys as ci:SUBJECT', () => {
    expect(ciActor('repo:acme/api:ref:refs/heads/main')).toBe('ci:repo:acme/api:ref:refs/heads/main');
  });
});
