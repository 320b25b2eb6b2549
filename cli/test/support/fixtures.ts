import type { Revision } from '@kipper/client';

/** Data shaped like the API's answers, for the fake server. */
export const NOW = new Date('2026-01-15T12:00:00Z');
export const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export type FakeRevision = Revision & { app: Record<string, unknown> };

export function revision(partial: Partial<FakeRevision> & { number: number }): FakeRevision {
  return {
    image: `registry.example.com/api:rev${partial.number}`,
    imageTag: null,
    digest: null,
    commit: null,
    trigger: 'MANUAL',
    triggeredBy: 'admin',
    status: 'LIVE',
    current: false,
    failureReason: null,
    heldReason: null,
    rollbackTo: null,
    promotedFrom: null,
    progress: null,
    templateHash: null,
    build: null,
    createdAt: ago(MIN),
    startedAt: null,
    finishedAt: null,
    app: { name: 'api', namespace: 'yourr-name-test', environment: { name: 'test' }, gitUrl: null, gitBranch: null },
    ...partial,
  };
}

/** The three revisions of the seed's history. */
export const seedHistory = [
  revision({ number: 3, image: 'registry.example.com/api:abc123f', commit: 'abc123f', trigger: 'WEBHOOK', current: true, createdAt: ago(2 * MIN + 5_000) }),
  revision({ number: 2, image: 'registry.example.com/api:def456a', commit: 'def456a', trigger: 'WEBHOOK', createdAt: ago(HOUR + 10 * MIN) }),
  revision({ number: 1, image: 'registry.example.com/api:ghi789b', commit: 'ghi789b', trigger: 'MANUAL', createdAt: ago(3 * HOUR + 1_000) }),
];

export const TOKEN_64 = 'a3f8b2c4d5e6f7890123456789abcdef'.repeat(2);

export const gitlabSnippet = [
  'deploy:',
  '  stage: deploy',
  '  script:',
  '    - |',
  `      image="$(printf '%s' "$CI_REGISTRY_IMAGE" | tr '[:upper:]' '[:lower:]'):$CI_COMMIT_SHORT_SHA"`,
  '      curl --fail-with-body -sS -X POST http://127.0.0.1:8080/api/v1/webhook/yourr-name-test/api \\',
  '        -H "X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN" \\',
  '        -H "Content-Type: application/json" \\',
  '        -d "{\\"image\\": \\"$image\\", \\"commit\\": \\"$CI_COMMIT_SHORT_SHA\\"}"',
  '  only:',
  '    - main',
  '',
].join('\n');

export const githubSnippet = [
  '- name: Deploy to Kipper',
  '  env:',
  '    KIPPER_WEBHOOK_TOKEN: ${{ secrets.KIPPER_WEBHOOK_TOKEN }}',
  '  shell: bash',
  '  run: |',
  '    image="ghcr.io/${GITHUB_REPOSITORY,,}:$GITHUB_SHA"',
  '    curl --fail-with-body -sS -X POST http://127.0.0.1:8080/api/v1/webhook/yourr-name-test/api \\',
  '      -H "X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN" \\',
  '      -H "Content-Type: application/json" \\',
  '      -d "{\\"image\\": \\"$image\\", \\"commit\\": \\"$GITHUB_SHA\\"}"',
].join('\n');

/** The waiting variants, cut short: the CLI prints whatever the API sends. */
export const gitlabWaitSnippet = gitlabSnippet.replace('  only:', '      # … polls the status URL until the revision is decided\n  only:');
export const githubWaitSnippet = `${githubSnippet}\n    # … polls the status URL until the revision is decided`;
