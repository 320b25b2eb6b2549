import { describe, expect, it } from 'vitest';
import { ClusterError } from '@kipper/kube';
import { buildOutcomeReason, buildStepReason, GitError, lsRemoteHead, redactUrls } from '@kipper/worker/testing';

/** The worker's words for what went wrong with a build. */
describe('worker: failure reasons of builds', () => {
  it('redacts users, passwords, queries and fragments of URLs', () => {
    expect(redactUrls('fetch https://bot:s3cret@git.example.com/a/b.git?token=x#frag failed')).toBe('fetch https://git.example.com/a/b.git failed');
    expect(redactUrls('push to https://registry.example.com/v2/ ok')).toBe('push to https://registry.example.com/v2/ ok');
  });

  it("a failed Job: its reason and message, then the builder's last lines", () => {
    const lines = ['step 1', '', 'error: COPY failed: https://u:p@files.example.com/x?sig=1 not found', 'exit status 1'];
    expect(buildOutcomeReason({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }, lines)).toBe(
      'BackoffLimitExceeded: Job has reached the specified backoff limit; last output: step 1 | error: COPY failed: https://files.example.com/x not found | exit status 1',
    );
    expect(buildOutcomeReason({ reason: 'DeadlineExceeded', message: 'too long' }, [])).toBe('DeadlineExceeded: too long');
  });

  it("git's words and the cluster's refusal are the build's reason; other errors are not", () => {
    expect(buildStepReason(new GitError('git ls-remote https://example.invalid/r.git refs/heads/main failed: could not resolve host example.invalid'))).toMatch(/could not resolve host/);
    expect(buildStepReason(new ClusterError('CLUSTER_INVALID', 'create Job ns/x-build-1: spec.template: Invalid value'))).toBe(
      'the build Job could not be created: create Job ns/x-build-1: spec.template: Invalid value',
    );
    expect(buildStepReason(new Error('connect to 10.0.0.3:5432 failed'))).toBeNull();
  });

  it('git ls-remote of a host that does not resolve says so in a few words', async () => {
    await expect(lsRemoteHead('https://example.invalid/acme/repo.git', 'main', { protocols: ['https'], allowPrivate: false })).rejects.toThrow(
      'git ls-remote https://example.invalid/acme/repo.git refs/heads/main failed: could not resolve host example.invalid',
    );
  });
});
