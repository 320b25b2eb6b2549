import { describe, expect, it } from 'vitest';
import { ErrorCode, KipperError, assertImageReference, isAppName, isDnsLabel, isFullCommitSha, optionalBuildCommit, optionalCommit } from '@kipper/core';

function refusal(fn: () => unknown): { code: ErrorCode; message: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KipperError) return { code: err.code, message: err.message };
    throw err;
  }
  return undefined;
}

describe('the commit a revision records', () => {
  it.each(['abc123f', '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', 'race1', 'v1.2.3+build.7', 'f'.repeat(64)])('accepts %s', (commit) => {
    expect(optionalCommit(commit)).toBe(commit);
  });

  it('is optional', () => {
    for (const none of [undefined, null, '']) expect(optionalCommit(none)).toBeNull();
  });

  it.each([['x'.repeat(65)], ['abc; rm -rf'], ['two\nlines'], ['é'], [7]])('refuses %j with one message', (commit) => {
    const refused = refusal(() => optionalCommit(commit));
    expect(refused?.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(refused?.message).toMatch(/^Commit must be 1 to 64 printable characters without spaces \(a git commit SHA, e\.g\. abc123f\), got /);
  });
});

describe('the commit a build checks out', () => {
  it('is an abbreviated or full hex SHA', () => {
    expect(optionalBuildCommit('0123abcd')).toBe('0123abcd');
    expect(optionalBuildCommit('DA1560886D4F094C3E6C9EF40349F7D38B5D27D7')).toBe('DA1560886D4F094C3E6C9EF40349F7D38B5D27D7');
    expect(optionalBuildCommit(undefined)).toBeNull();
  });

  it.each([['abc'], ['race1'], ['a'.repeat(65)], [42]])('refuses %j, saying a SHA is needed', (commit) => {
    const refused = refusal(() => optionalBuildCommit(commit));
    expect(refused?.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(refused?.message).toMatch(/must be a git commit SHA \(4 to 64 hex characters, e\.g\. abc123f\), got /);
  });

  it('a provider push names its head in full (SHA-1 or SHA-256)', () => {
    expect(isFullCommitSha('0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c')).toBe(true);
    expect(isFullCommitSha('a'.repeat(64))).toBe(true);
    expect(isFullCommitSha('abc123f')).toBe(false);
    expect(isFullCommitSha(null)).toBe(false);
  });
});

describe('image references', () => {
  it('INVALID_IMAGE for anything but a full reference with a tag or digest', () => {
    expect(refusal(() => assertImageReference('registry.example.com/api:abc123f'))).toBeUndefined();
    expect(refusal(() => assertImageReference('registry.example.com/api'))).toMatchObject({ code: ErrorCode.INVALID_IMAGE, message: expect.stringMatching(/has no tag/) });
    expect(refusal(() => assertImageReference(42))?.code).toBe(ErrorCode.INVALID_IMAGE);
  });
});

describe('names', () => {
  it('DNS labels (projects, environments, namespaces) of at most 63 characters', () => {
    expect(isDnsLabel('shop-test')).toBe(true);
    expect(isDnsLabel('1shop')).toBe(true);
    expect(isDnsLabel('a'.repeat(63))).toBe(true);
    for (const bad of ['', 'a'.repeat(64), 'Shop', '-shop', 'shop-', 'sh_op', 42]) expect(isDnsLabel(bad)).toBe(false);
  });

  it('app names start with a letter and leave room for -webhook and -build-<n>', () => {
    expect(isAppName('api')).toBe(true);
    expect(isAppName('a'.repeat(45))).toBe(true);
    for (const bad of ['', '1api', 'a'.repeat(46), 'Bad_Name', 'api-']) expect(isAppName(bad)).toBe(false);
  });
});
