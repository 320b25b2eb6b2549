import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from './errors.js';

/** `-o, --output text|json`, added to every command that does something. */
export function withOutput(command: Command): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
  );
}

export interface AppRefOptions {
  project?: string;
  environment?: string;
  namespace?: string;
}

/** `--project`, `--environment`, `--namespace`: which app a name means. */
export function withAppRef(command: Command): Command {
  return command
    .option('-p, --project <project>', 'project of the app')
    .option('-e, --environment <environment>', 'environment of the app (with --project)')
    .option('-n, --namespace <namespace>', 'namespace of the app, e.g. yourr-name-test (instead of --project/--environment)');
}

export interface AppRef {
  name: string;
  project?: string;
  environment?: string;
  namespace?: string;
}

/**
 * `--project` + `--environment` → { project, environment, name }; `--namespace` → { namespace, name };
 * neither → { name } and the API answers AMBIGUOUS_APP (listing the namespaces) when it is not unique.
 */
export function appRef(name: string, options: AppRefOptions): AppRef {
  if (options.namespace && (options.project || options.environment)) {
    throw new UsageError('Give either --namespace or --project/--environment, not both.');
  }
  const ref: AppRef = { name };
  if (options.namespace) ref.namespace = options.namespace;
  if (options.project) ref.project = options.project;
  if (options.environment) ref.environment = options.environment;
  return ref;
}

/** The flags that name the same app again, for hints like "enable it with kip app webhook enable api …". */
export function refFlags(ref: AppRef): string {
  if (ref.namespace) return ` --namespace ${ref.namespace}`;
  return `${ref.project ? ` --project ${ref.project}` : ''}${ref.environment ? ` --environment ${ref.environment}` : ''}`;
}

export function parseIntOption(what: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be a whole number.`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`${what} must be at least ${min}.`);
    return n;
  };
}
