import { AppSource } from '../apps/app.entity.js';
import { GITHUB, GITLAB, indent, snippetScript, type CiSnippets } from '../webhooks/webhook.snippets.js';
import { DEFAULT_CI_AUDIENCE } from './webhook-trust.rules.js';

/**
 * The keyless variants of the CI snippets (`kip app webhook enable --keyless`): the job asks its
 * CI provider for an OIDC token with audience `audience` and sends it as
 * `Authorization: Bearer …`; no shared secret is stored in the CI. The app must trust the
 * pipeline's identity first (`kip app webhook trust`, printed beside them). Same shell and the
 * same loud failures as the token snippets (webhook.snippets.ts).
 */

const BEARER_HEADER = 'Authorization: Bearer $KIPPER_ID_TOKEN';

/**
 * GitHub Actions hands out tokens through ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN (set when the job
 * has `permissions: id-token: write`); the answer is `{"value": "<jwt>"}`, read with sed (no jq).
 */
function githubTokenLines(audience: string): string[] {
  return [
    `KIPPER_ID_TOKEN=$(curl --fail-with-body -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${encodeURIComponent(audience)}" | sed -nE 's/.*"value":"([^"]*)".*/\\1/p')`,
    '[ -n "$KIPPER_ID_TOKEN" ] || { echo "Kipper: no OIDC token from GitHub: give the job permissions: id-token: write"; exit 1; }',
  ];
}

function githubStep(url: string, source: AppSource, audience: string, wait: boolean): string {
  return [
    '# The job needs these permissions (at job or workflow level) to get an OIDC token:',
    '# permissions:',
    '#   id-token: write',
    '#   contents: read',
    '- name: Deploy to Kipper',
    '  shell: bash',
    '  run: |',
    ...indent(4, [...githubTokenLines(audience), ...snippetScript(url, source, GITHUB, wait, BEARER_HEADER)]),
    '',
  ].join('\n');
}

/** GitLab puts the token into KIPPER_ID_TOKEN itself (`id_tokens`), with the audience asked for. */
function gitlabJob(url: string, source: AppSource, audience: string, wait: boolean): string {
  return [
    'deploy:',
    '  stage: deploy',
    '  id_tokens:',
    '    KIPPER_ID_TOKEN:',
    `      aud: ${audience}`,
    '  script:',
    '    - |',
    ...indent(6, snippetScript(url, source, GITLAB, wait, BEARER_HEADER)),
    '  only:',
    '    - main',
    '',
  ].join('\n');
}

export function keylessCiSnippets(url: string, source: AppSource, audience: string = DEFAULT_CI_AUDIENCE): CiSnippets {
  return {
    gitlabCi: gitlabJob(url, source, audience, false),
    githubActions: githubStep(url, source, audience, false),
    gitlabCiWait: gitlabJob(url, source, audience, true),
    githubActionsWait: githubStep(url, source, audience, true),
  };
}
