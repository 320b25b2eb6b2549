import { InvalidArgumentError, Option, type Command } from 'commander';
import { createKipperClient, type KipperClient } from '../client.js';
import { resolveConfig } from '../config.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { Output, type Io, type OutputFormat } from '../output.js';

/** What every command gets: its IO, its Output (text or JSON) and a lazily made API client. */
export interface Context {
  io: Io;
  out: Output;
  client(): Promise<KipperClient>;
  now(): Date;
}

export type ClientFactory = typeof createKipperClient;

export interface CliDeps {
  createClient?: ClientFactory;
}

/** The state one run of `kip` shares between its commands and the wrapper. */
export interface RunState {
  io: Io;
  deps: CliDeps;
  exitCode: number;
  clients: KipperClient[];
}

export interface GlobalOptions {
  output?: OutputFormat;
}

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

/**
 * Wraps a command's action: makes the Context, runs the action, and maps every error to a
 * message on stderr and an exit code (1 failed operation, 2 usage). Never a stack trace,
 * unless KIPPER_DEBUG is set.
 */
export function action<A extends unknown[]>(
  state: RunState,
  run: (ctx: Context, ...args: A) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    const args = raw.slice(0, -1) as A;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const out = new Output(state.io, globals.output === 'json' ? 'json' : 'text');
    let client: KipperClient | undefined;
    const ctx: Context = {
      io: state.io,
      out,
      now: () => state.io.now(),
      client: async () => {
        if (client) return client;
        const config = await resolveConfig(state.io.env);
        const factory = state.deps.createClient ?? createKipperClient;
        client = factory({ server: config.server, token: config.token, tokenFrom: config.tokenFrom });
        state.clients.push(client);
        return client;
      },
    };
    try {
      const code = await run(ctx, ...args);
      state.exitCode = code ?? ExitCode.Ok;
    } catch (error) {
      state.exitCode = reportError(out, state.io, error);
    }
  };
}

export function reportError(out: Output, io: Io, error: unknown): number {
  if (error instanceof CliError) {
    out.error(error.message, error.code);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`Unexpected failure: ${message}`, 'INTERNAL');
  if (io.env.KIPPER_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Failed;
}

export function failIfNull<T>(value: T | null | undefined, message: string, code: string): T {
  if (value == null) throw new CliError(message, ExitCode.Failed, code);
  return value;
}

export function describeRef(ref: AppRef, namespace?: string): string {
  return namespace ? `${ref.name} (${namespace})` : ref.name;
}
