import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { reportError, type CommandFactory, type RunState } from './action.js';
import { appBuildLogsCommand } from './commands/app/build-logs.js';
import { appCancelCommand } from './commands/app/cancel.js';
import { appDeleteCommand } from './commands/app/delete.js';
import { appDeliveriesCommand } from './commands/app/deliveries.js';
import { appDiffCommand } from './commands/app/diff.js';
import { envListCommand } from './commands/app/env/list.js';
import { envSetCommand } from './commands/app/env/set.js';
import { envUnsetCommand } from './commands/app/env/unset.js';
import { appScaleCommand } from './commands/app/scale.js';
import { appConfigureCommand, appSetCommand } from './commands/app/set.js';
import { appDeployCommand } from './commands/app/deploy.js';
import { appEventsCommand } from './commands/app/events.js';
import { appHistoryCommand } from './commands/app/history.js';
import { appListCommand } from './commands/app/list.js';
import { appLogsCommand } from './commands/app/logs.js';
import { appPodsCommand } from './commands/app/pods.js';
import { appPromoteCommand } from './commands/app/promote.js';
import { appRebuildCommand } from './commands/app/rebuild.js';
import { appRollbackCommand } from './commands/app/rollback.js';
import { appStatusCommand } from './commands/app/status.js';
import { appUnpinCommand } from './commands/app/unpin.js';
import { appUpdateCommand } from './commands/app/update.js';
import { feedbackGithubCommand } from './commands/app/feedback/github.js';
import { feedbackGitlabCommand } from './commands/app/feedback/gitlab.js';
import { feedbackListCommand } from './commands/app/feedback/list.js';
import { feedbackOffCommand } from './commands/app/feedback/off.js';
import { webhookDisableCommand } from './commands/app/webhook/disable.js';
import { webhookEnableCommand } from './commands/app/webhook/enable.js';
import { webhookStatusCommand } from './commands/app/webhook/status.js';
import { webhookTrustCommand } from './commands/app/webhook/trust.js';
import { webhookUntrustCommand } from './commands/app/webhook/untrust.js';
import { auditCommand } from './commands/audit.js';
import { approvalsCommand } from './commands/approvals/list.js';
import { approveCommand } from './commands/approvals/approve.js';
import { rejectCommand } from './commands/approvals/reject.js';
import { environmentSetCommand } from './commands/project/environment-set.js';
import { loginCommand } from './commands/login.js';
import { notificationsAddCommand } from './commands/notifications/add.js';
import { notificationsDeliveriesCommand } from './commands/notifications/deliveries.js';
import { notificationsListCommand } from './commands/notifications/list.js';
import { notificationsRemoveCommand } from './commands/notifications/remove.js';
import { projectCreateCommand } from './commands/project/create.js';
import { projectDeleteCommand } from './commands/project/delete.js';
import { projectListCommand } from './commands/project/list.js';
import { memberAddCommand } from './commands/project/member/add.js';
import { memberListCommand } from './commands/project/member/list.js';
import { memberRemoveCommand } from './commands/project/member/remove.js';
import { tokenCreateCommand } from './commands/token/create.js';
import { tokenListCommand } from './commands/token/list.js';
import { tokenRevokeCommand } from './commands/token/revoke.js';
import { userCreateCommand } from './commands/user/create.js';
import { userDisableCommand } from './commands/user/disable.js';
import { userListCommand } from './commands/user/list.js';
import { userPasswdCommand } from './commands/user/passwd.js';
import { ExitCode } from './errors.js';
import { Output, type Io } from './output.js';

/** A command, or a group of commands under one name. Their order is the order of `--help`. */
type Entry = CommandFactory | { group: string; description: string; commands: Entry[] };

/** Every command of `kip`, in one place. */
const commands: Entry[] = [
  loginCommand,
  {
    group: 'project',
    description: 'create and list projects and their environments',
    commands: [
      projectCreateCommand,
      projectListCommand,
      projectDeleteCommand,
      {
        group: 'member',
        description: 'who may read, deploy or manage the project',
        commands: [memberAddCommand, memberRemoveCommand, memberListCommand],
      },
      {
        group: 'environment',
        description: 'approvals, approvers, protection and freezes of an environment',
        commands: [environmentSetCommand],
      },
    ],
  },
  {
    group: 'app',
    description: 'deploy apps, follow their history, roll back, cancel and promote',
    commands: [
      appListCommand,
      appDeployCommand,
      appUpdateCommand,
      appStatusCommand,
      appHistoryCommand,
      appPodsCommand,
      appEventsCommand,
      appLogsCommand,
      appRollbackCommand,
      appUnpinCommand,
      appCancelCommand,
      appPromoteCommand,
      appRebuildCommand,
      appBuildLogsCommand,
      appSetCommand,
      appConfigureCommand,
      appScaleCommand,
      {
        group: 'env',
        description: 'environment variables; secrets kept in a Secret',
        commands: [envSetCommand, envUnsetCommand, envListCommand],
      },
      appDiffCommand,
      appDeleteCommand,
      {
        group: 'webhook',
        description: 'webhook token, snippets, keyless CI trusts',
        commands: [webhookEnableCommand, webhookStatusCommand, webhookDisableCommand, webhookTrustCommand, webhookUntrustCommand],
      },
      appDeliveriesCommand,
      {
        group: 'feedback',
        description: 'report deploys to GitHub and GitLab',
        commands: [feedbackGithubCommand, feedbackGitlabCommand, feedbackListCommand, feedbackOffCommand],
      },
    ],
  },
  {
    group: 'user',
    description: 'people who sign in (instance admins), and your password',
    commands: [userCreateCommand, userListCommand, userDisableCommand, userPasswdCommand],
  },
  {
    group: 'token',
    description: 'API tokens: personal, or limited to a project; shown once, revocable',
    commands: [tokenCreateCommand, tokenListCommand, tokenRevokeCommand],
  },
  {
    group: 'notifications',
    description: 'send deploy events to webhooks and Slack; see every delivery attempt',
    commands: [notificationsAddCommand, notificationsListCommand, notificationsRemoveCommand, notificationsDeliveriesCommand],
  },
  approvalsCommand,
  approveCommand,
  rejectCommand,
  auditCommand,
];

function add(parent: Command, entry: Entry, state: RunState): void {
  if (typeof entry === 'function') {
    entry(parent, state);
    return;
  }
  const group = parent.command(entry.group).description(entry.description);
  for (const child of entry.commands) add(group, child, state);
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(state: RunState): Command {
  const program = new Command('kip')
    .description('Kipper: deploy to Kubernetes from your CI')
    .version(version(), '-V, --version', 'print the version of kip')
    .helpCommand(false)
    .showSuggestionAfterError(true);

  for (const entry of commands) add(program, entry, state);

  program.addHelpText(
    'after',
    '\nConfiguration: `kip login` saves the server and token in ~/.config/kipper/config.json;\n' +
      'KIPPER_SERVER and KIPPER_TOKEN override it. Exit codes: 0 ok, 1 failed, 2 wrong usage.',
  );

  // Every command writes through the run's IO and throws instead of calling process.exit.
  const configure = (command: Command) => {
    command.exitOverride().helpCommand(false).configureOutput({
      writeOut: (s) => state.io.stdout.write(s),
      writeErr: (s) => state.io.stderr.write(s),
      outputError: (s, write) => write(s),
    });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

/**
 * Runs `kip` with `argv` (the arguments after `kip`) and answers the exit code:
 * 0 success, 1 a failed operation, 2 wrong usage.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const state: RunState = { io, exitCode: ExitCode.Ok, clients: [] };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    return reportError(new Output(io, 'text'), io, error);
  } finally {
    await Promise.allSettled(state.clients.map((c) => c.close()));
  }
}
