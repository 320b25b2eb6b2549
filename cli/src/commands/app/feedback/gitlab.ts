import type { Command } from 'commander';
import type { RunState } from '../../../action.js';
import { connectCommand } from './connect.js';

/**
 * `kip app feedback gitlab APP --repo group/api --token-from-secret NAME[:KEY] [--api-url URL]`.
 * GitLab calls it a project; the option is `--repo` because `--project` names the app's Kipper
 * project, as in every `kip app` command.
 */
export function feedbackGitlabCommand(feedback: Command, state: RunState): Command {
  return connectCommand(feedback, state, {
    provider: 'GITLAB',
    command: 'gitlab',
    repoFlag: 'repo',
    repoHelp: 'GitLab project path, group/project or group/subgroup/project, or its numeric id',
    defaultApi: 'https://gitlab.com/api/v4; self-hosted: https://HOST/api/v4',
  });
}
