import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApp } from './commands/app.js';
import { registerBuild } from './commands/build.js';
import type { CliDeps, RunState } from './commands/common.js';
import { registerHistory } from './commands/history.js';
import { registerLogin } from './commands/login.js';
import { registerProject } from './commands/project.js';
import { registerPromote } from './commands/promote.js';
import { registerWebhook } from './commands/webhook.js';
import { ExitCode } from './errors.js';
import type { Io } from './output.js';

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

  registerLogin(program, state);
  registerProject(program, state);
  const app = program.command('app').description('deploy apps, follow their history, roll back and promote');
  registerApp(app, state);
  registerHistory(app, state);
  registerPromote(app, state);
  registerBuild(app, state);
  registerWebhook(app, state);

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
export async function runCli(argv: readonly string[], io: Io, deps: CliDeps = {}): Promise<number> {
  const state: RunState = { io, deps, exitCode: ExitCode.Ok, clients: [] };
  const program = buildProgram(state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    io.stderr.write(`Error: Unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.Failed;
  } finally {
    await Promise.allSettled(state.clients.map((c) => c.close()));
  }
}
