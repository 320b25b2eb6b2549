import { describe, expect, it } from 'vitest';
import { healthLine, historyTable, relativeTime, revisionMarker, revisionProgress, shortCommit, snippetBlock, table } from '../src/format.js';
import { gitlabSnippet, githubSnippet, gitlabWaitSnippet, githubWaitSnippet, NOW, seedHistory, revision } from './support/fixtures.js';

const at = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [59, 'just now'],
    [60, '1 min ago'],
    [125, '2 min ago'],
    [59 * 60 + 59, '59 min ago'],
    [3600, '1 hour ago'],
    [3 * 3600 + 10, '3 hours ago'],
    [23 * 3600, '23 hours ago'],
    [24 * 3600, '1 day ago'],
    [2 * 24 * 3600 + 5, '2 days ago'],
    [45 * 24 * 3600, '1 month ago'],
    [400 * 24 * 3600, '1 year ago'],
    [-30, 'just now'],
  ])('%i seconds ago is "%s"', (seconds, expected) => {
    expect(relativeTime(at(seconds), NOW)).toBe(expected);
  });

  it('reads ISO strings', () => {
    expect(relativeTime('2026-01-15T11:58:00.000Z', NOW)).toBe('2 min ago');
  });
});

describe('history table', () => {
  it('prints the seed table: padded columns, newest first, (current) on the current revision', () => {
    expect(historyTable(seedHistory, NOW)).toEqual([
      '#  IMAGE                             COMMIT   TRIGGER  WHEN',
      '3  registry.example.com/api:abc123f  abc123f  webhook  2 min ago (current)',
      '2  registry.example.com/api:def456a  def456a  webhook  1 hour ago',
      '1  registry.example.com/api:ghi789b  ghi789b  manual   3 hours ago',
    ]);
  });

  it('collapses to the seed text when whitespace is squeezed', () => {
    const squeezed = historyTable(seedHistory, NOW).map((l) => l.replace(/ +/g, ' '));
    expect(squeezed).toEqual([
      '# IMAGE COMMIT TRIGGER WHEN',
      '3 registry.example.com/api:abc123f abc123f webhook 2 min ago (current)',
      '2 registry.example.com/api:def456a def456a webhook 1 hour ago',
      '1 registry.example.com/api:ghi789b ghi789b manual 3 hours ago',
    ]);
  });

  it('marks failed, superseded and unfinished revisions and lower-cases triggers', () => {
    const lines = historyTable(
      [
        revision({ number: 7, status: 'ROLLING_OUT', trigger: 'ROLLBACK', rollbackTo: 2, createdAt: NOW.toISOString() }),
        revision({ number: 6, status: 'QUEUED', trigger: 'PROMOTION' }),
        revision({ number: 5, status: 'BUILDING', trigger: 'BUILD', image: null }),
        revision({ number: 4, status: 'FAILED', trigger: 'WEBHOOK' }),
        revision({ number: 3, status: 'SUPERSEDED', trigger: 'WEBHOOK' }),
      ],
      NOW,
    );
    expect(lines[1]).toMatch(/^7 .* rollback +just now \(rolling out\)$/);
    expect(lines[2]).toMatch(/ promotion +1 min ago \(queued\)$/);
    expect(lines[3]).toMatch(/^5 +- +- +build +1 min ago \(building\)$/);
    expect(lines[4]).toMatch(/ webhook +1 min ago \(failed\)$/);
    expect(lines[5]).toMatch(/ webhook +1 min ago \(superseded\)$/);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('pads the # column for two-digit revisions', () => {
    const lines = historyTable([revision({ number: 10, current: true }), revision({ number: 9 })], NOW);
    expect(lines[0]!.startsWith('#   IMAGE')).toBe(true);
    expect(lines[2]!.startsWith('9   ')).toBe(true);
  });
});

describe('small formatters', () => {
  it('shortens full SHAs only', () => {
    expect(shortCommit('abc123f')).toBe('abc123f');
    expect(shortCommit('0123456789abcdef0123456789abcdef01234567')).toBe('0123456');
    expect(shortCommit(null)).toBe('-');
  });

  it('marks the current revision first', () => {
    expect(revisionMarker({ status: 'LIVE', current: true, progress: null })).toBe(' (current)');
    expect(revisionMarker({ status: 'LIVE', current: false, progress: null })).toBe('');
  });

  it('describes progress', () => {
    expect(revisionProgress({ number: 4, status: 'ROLLING_OUT', progress: { updated: 3, ready: 2, desired: 3, available: 2, old: 0 }, failureReason: null })).toBe(
      'Revision #4 rolling out: 3/3 updated, 2 ready',
    );
    // Honest: the new ReplicaSet's pods, and the old ones still serving.
    expect(revisionProgress({ number: 4, status: 'ROLLING_OUT', progress: { updated: 1, ready: 0, desired: 3, available: 0, old: 3 }, failureReason: null })).toBe(
      'Revision #4 rolling out: 1/3 updated, 0 ready, 3 old pods serving',
    );
    expect(revisionProgress({ number: 4, status: 'ROLLING_OUT', progress: { updated: 3, ready: 3, desired: 3, available: 3, old: 1 }, failureReason: null })).toBe(
      'Revision #4 rolling out: 3/3 updated, 3 ready, 1 old pod serving',
    );
    expect(revisionProgress({ number: 9, status: 'HELD', progress: null, failureReason: null, heldReason: 'Revision #9 is held: api is pinned to revision #4 (…).' })).toBe(
      'Revision #9 is held: api is pinned to revision #4 (…).',
    );
    expect(revisionProgress({ number: 9, status: 'HELD', progress: null, failureReason: null })).toBe('Revision #9 is held');
    expect(revisionProgress({ number: 4, status: 'FAILED', progress: null, failureReason: 'ImagePullBackOff' })).toBe(
      'Revision #4 failed: ImagePullBackOff',
    );
  });

  it('marks held, cancelled and pinned revisions', () => {
    expect(revisionMarker({ status: 'HELD', current: false, progress: null })).toBe(' (held)');
    expect(revisionMarker({ status: 'CANCELLED', current: false, progress: null })).toBe(' (cancelled)');
    expect(revisionMarker({ status: 'LIVE', current: true, progress: null }, true)).toBe(' (current, pinned)');
    expect(revisionMarker({ status: 'ROLLING_OUT', current: false, progress: null }, true)).toBe(' (rolling out, pinned)');
    expect(revisionMarker({ status: 'LIVE', current: false, progress: null }, true)).toBe(' (pinned)');
  });

  it('health as Argo CD words it', () => {
    expect(healthLine({ status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' })).toBe('Degraded (CrashLoopBackOff: 2/3 pods crash-looping)');
    expect(healthLine({ status: 'PROGRESSING', reason: null, message: '1/3 pods updated' })).toBe('Progressing (1/3 pods updated)');
    expect(healthLine({ status: 'HEALTHY', reason: null, message: null })).toBe('Healthy');
    expect(healthLine({ status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping (CrashLoopBackOff, 5 restarts)' })).toBe(
      'Degraded (2/3 pods crash-looping (CrashLoopBackOff, 5 restarts))',
    );
    expect(healthLine(null)).toBe('not observed yet');
  });

  it('tables have no trailing spaces', () => {
    expect(table(['A', 'B'], [['xx', '']])).toEqual(['A   B', 'xx']);
  });
});

describe('CI snippets', () => {
  const snippets = { gitlabCi: gitlabSnippet, githubActions: githubSnippet, gitlabCiWait: gitlabWaitSnippet, githubActionsWait: githubWaitSnippet };

  it('prints the GitLab CI snippet under its heading, verbatim', () => {
    const lines = snippetBlock(snippets, 'gitlab');
    expect(lines[0]).toBe('GitLab CI snippet (.gitlab-ci.yml):');
    expect(lines.slice(1).join('\n')).toBe(gitlabSnippet.replace(/\n$/, ''));
  });

  it('can print the GitHub Actions snippet or none', () => {
    expect(snippetBlock(snippets, 'github')[0]).toBe('GitHub Actions snippet (.github/workflows/deploy.yml):');
    expect(snippetBlock(snippets, 'none')).toEqual([]);
  });

  it('prints the waiting variants with wait', () => {
    expect(snippetBlock(snippets, 'gitlab', true)).toEqual(['GitLab CI snippet (.gitlab-ci.yml), waiting for the rollout:', ...gitlabWaitSnippet.replace(/\n$/, '').split('\n')]);
    expect(snippetBlock(snippets, 'github', true)).toEqual(['GitHub Actions snippet (.github/workflows/deploy.yml), waiting for the rollout:', ...githubWaitSnippet.split('\n')]);
    expect(snippetBlock(snippets, 'none', true)).toEqual([]);
  });
});
