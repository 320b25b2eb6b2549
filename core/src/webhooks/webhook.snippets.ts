import { AppSource } from '../apps/app.entity.js';

/**
 * The ready-to-paste CI snippets shown by `kip app webhook enable` and the console, as on the
 * product page. The token never appears in them: CI reads it from the KIPPER_WEBHOOK_TOKEN
 * variable (GitLab: Settings → CI/CD → Variables; GitHub: Settings → Secrets and variables).
 */
export interface CiSnippets {
  gitlabCi: string;
  githubActions: string;
}

export function ciSnippets(url: string, source: AppSource): CiSnippets {
  const gitlabBody =
    source === AppSource.GIT
      ? `'{"commit": "'$CI_COMMIT_SHA'"}'`
      : `'{"image": "'$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA'", "commit": "'$CI_COMMIT_SHORT_SHA'"}'`;
  const githubBody =
    source === AppSource.GIT
      ? `'{"commit": "\${{ github.sha }}"}'`
      : `'{"image": "ghcr.io/\${{ github.repository }}:\${{ github.sha }}", "commit": "\${{ github.sha }}"}'`;
  const gitlabCi = [
    'deploy:',
    '  stage: deploy',
    '  script:',
    '    - |',
    `      curl -s -X POST ${url} \\`,
    '        -H "X-Kipper-Token: $KIPPER_WEBHOOK_TOKEN" \\',
    '        -H "Content-Type: application/json" \\',
    `        -d ${gitlabBody}`,
    '  only:',
    '    - main',
    '',
  ].join('\n');
  const githubActions = [
    '- name: Deploy to Kipper',
    '  run: |',
    `    curl -s -X POST ${url} \\`,
    '      -H "X-Kipper-Token: ${{ secrets.KIPPER_WEBHOOK_TOKEN }}" \\',
    '      -H "Content-Type: application/json" \\',
    `      -d ${githubBody}`,
    '',
  ].join('\n');
  return { gitlabCi, githubActions };
}
