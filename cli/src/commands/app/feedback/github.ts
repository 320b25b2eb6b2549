import type { Command } from 'commander';
import type { RunState } from '../../../action.js';
import { connectCommand } from './connect.js';

/** `kip app feedback github APP --repo acme/api --token-from-secret NAME[:KEY] [--api-url URL]` */
export function feedbackGithubCommand(feedback: Command, state: RunState): Command {
  return connectCommand(feedback, state, {
    provider: 'GITHUB',
    command: 'github',
    repoFlag: 'repo',
    repoHelp: 'GitHub repository, owner/name (e.g. acme/api)',
    defaultApi: 'https://api.github.com; GitHub Enterprise: https://HOST/api/v3',
  });
}
