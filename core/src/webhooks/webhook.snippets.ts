import { AppSource } from '../apps/app.entity.js';

/**
 * The ready-to-paste CI snippets shown by `kip app webhook enable` and the console, as on the
 * product page. The token never appears in them: CI reads it from the KIPPER_WEBHOOK_TOKEN
 * variable (GitLab: Settings → CI/CD → Variables; GitHub: Settings → Secrets and variables).
 *
 * They fail loudly: `curl --fail-with-body` (curl ≥ 7.76) makes a refused request (401, 422, …)
 * fail the job and still prints Kipper's answer, and the image name is lower-cased (registries
 * refuse capitals; `github.repository` keeps the owner's). The `…Wait` variants then poll the
 * answer's `statusUrl` until the revision is decided, so the job's result is the deploy's:
 * live → go on (exit 0); failed or cancelled → exit 1 with the reason; held (the app is pinned)
 * → go on, printing why (it was accepted; only `kip app unpin` deploys it); superseded → go on,
 * saying so (the newer revision's own job reports its fate); still undecided after
 * KIPPER_WAIT_SECONDS → exit 1. The shell is POSIX sh with curl, sed and tr only (GitLab images
 * may lack bash and jq), except GitHub's `${GITHUB_REPOSITORY,,}` (bash ≥ 4, `shell: bash`).
 * docs/webhooks-and-ci-cd.md describes them; cli/test/cli.snippets.e2e.test.ts runs them.
 */
export interface CiSnippets {
  gitlabCi: string;
  githubActions: string;
  /** The GitLab CI job that waits for the rollout: it fails when the deploy fails. */
  gitlabCiWait: string;
  /** The GitHub Actions step that waits for the rollout: it fails when the deploy fails. */
  githubActionsWait: string;
}

/** How long the wait variants poll, by default, before they give up (KIPPER_WAIT_SECONDS). */
export const SNIPPET_WAIT_SECONDS = 600;
/** Seconds between two polls of the status URL. */
export const SNIPPET_POLL_SECONDS = 5;

/** What differs between the CI systems: where the image, the commit and the token come from. */
export interface CiVariables {
  /** Sets `image`: the registry image of this pipeline, its name lower-cased. */
  image: string;
  /** The commit an image app's revision records (a short SHA is enough). */
  commit: string;
  /** The commit a git app builds (the full SHA). */
  buildCommit: string;
}

export const GITLAB: CiVariables = {
  image: `image="$(printf '%s' "$CI_REGISTRY_IMAGE" | tr '[:upper:]' '[:lower:]'):$CI_COMMIT_SHORT_SHA"`,
  commit: '$CI_COMMIT_SHORT_SHA',
  buildCommit: '$CI_COMMIT_SHA',
};

// GITHUB_REPOSITORY and GITHUB_SHA are set on every runner (as github.repository and github.sha).
export const GITHUB: CiVariables = {
  image: 'image="ghcr.io/${GITHUB_REPOSITORY,,}:$GITHUB_SHA"',
  commit: '$GITHUB_SHA',
  buildCommit: '$GITHUB_SHA',
};

/** The header that authenticates the shared-token snippets. */
export const TOKEN_HEADER = 'X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN';

/**
 * The shell of the CI step: the POST, and for `wait` the polling of its status URL, both sent
 * with the `auth` header (the shared token, or a keyless CI's `Authorization: Bearer …`).
 */
export function snippetScript(url: string, source: AppSource, ci: CiVariables, wait: boolean, auth: string = TOKEN_HEADER): string[] {
  const body =
    source === AppSource.GIT
      ? `"{\\"commit\\": \\"${ci.buildCommit}\\"}"`
      : `"{\\"image\\": \\"$image\\", \\"commit\\": \\"${ci.commit}\\"}"`;
  const post = [
    `curl --fail-with-body -sS -X POST ${url} \\`,
    `  -H "${auth}" \\`,
    '  -H "Content-Type: application/json" \\',
  ];
  const lines = source === AppSource.GIT ? [] : [ci.image];
  if (!wait) return [...lines, ...post, `  -d ${body}`];
  return [
    ...lines,
    `answer=$(${post[0]}`,
    ...post.slice(1),
    `  -d ${body}) || { printf '%s\\n' "$answer"; exit 1; }`,
    `printf '%s\\n' "$answer"`,
    // `break`, not `exit 0`: GitLab runs a job's script lines as one script, so lines after this one still run.
    // field NAME JSON: a string field of Kipper's one-line JSON answer (no jq on GitLab images), \" and \\ unescaped.
    `# Wait for the rollout: go on once it is live (or held by a pin, or superseded by a newer`,
    `# revision); exit 1 when it failed or was cancelled, or after KIPPER_WAIT_SECONDS (${SNIPPET_WAIT_SECONDS}).`,
    `field() { printf '%s' "$2" | sed -nE 's/.*"'"$1"'":"(([^"\\\\]|\\\\.)*)".*/\\1/p' | sed -E 's/\\\\(["\\\\])/\\1/g'; }`,
    'status_url=$(field statusUrl "$answer")',
    '[ -n "$status_url" ] || { echo "Kipper: no statusUrl in the answer"; exit 1; }',
    'revision="#${status_url##*/}"',
    'waited=0',
    'while true; do',
    `  state=$(curl --fail-with-body -sS --retry 3 -H "${auth}" "$status_url") || { printf '%s\\n' "$state"; exit 1; }`,
    '  status=$(field status "$state")',
    '  reason=$(field failureReason "$state")',
    '  case "$status" in',
    '    live) echo "Kipper: revision $revision is live"; break ;;',
    '    held) echo "Kipper: $(field message "$state")"; break ;;',
    '    superseded) echo "Kipper: revision $revision: ${reason:-superseded by a newer revision}; the newer one decides the deploy"; break ;;',
    '    failed|cancelled) echo "Kipper: revision $revision $status${reason:+: $reason}"; exit 1 ;;',
    '  esac',
    `  if [ "$waited" -ge "\${KIPPER_WAIT_SECONDS:-${SNIPPET_WAIT_SECONDS}}" ]; then echo "Kipper: revision $revision is still $status after $waited s"; exit 1; fi`,
    `  sleep ${SNIPPET_POLL_SECONDS}`,
    `  waited=$((waited + ${SNIPPET_POLL_SECONDS}))`,
    'done',
  ];
}

export const indent = (spaces: number, lines: string[]) => lines.map((line) => `${' '.repeat(spaces)}${line}`);

function gitlabJob(url: string, source: AppSource, wait: boolean): string {
  return [
    'deploy:',
    '  stage: deploy',
    '  script:',
    '    - |',
    ...indent(6, snippetScript(url, source, GITLAB, wait)),
    '  only:',
    '    - main',
    '',
  ].join('\n');
}

// The token reaches the shell through `env:`, not a `${{ }}` expression in the script
// (GitHub's advice against script injection); the runner masks it in the log either way.
function githubStep(url: string, source: AppSource, wait: boolean): string {
  return [
    '- name: Deploy to Kipper',
    '  env:',
    '    KIPPER_WEBHOOK_TOKEN: ${{ secrets.KIPPER_WEBHOOK_TOKEN }}',
    '  shell: bash',
    '  run: |',
    ...indent(4, snippetScript(url, source, GITHUB, wait)),
    '',
  ].join('\n');
}

export function ciSnippets(url: string, source: AppSource): CiSnippets {
  return {
    gitlabCi: gitlabJob(url, source, false),
    githubActions: githubStep(url, source, false),
    gitlabCiWait: gitlabJob(url, source, true),
    githubActionsWait: githubStep(url, source, true),
  };
}
