import { KipperClientError, type KipperClient } from '@kipper/client';
import type { Command } from 'commander';
import { connect, inCliWords, type ApiTarget } from './api.js';
import { resolveConfig } from './config.js';
import { CliError, ExitCode } from './errors.js';
import { Output, type Io, type OutputFormat } from './output.js';

/** What every command gets: its IO, its Output (text or JSON) and a lazily made API client. */
export interface Context {
  io: Io;
  out: Output;
  /** The client for the saved login (or KIPPER_SERVER / KIPPER_TOKEN); `login` names its own target. */
  client(target?: ApiTarget): Promise<KipperClient>;
  /** The CLI's words for a failure of the client, e.g. `Cannot reach Kipper at URL: …`. */
  explain(error: KipperClientError): CliError;
  now(): Date;
}

/** The state one run of `kip` shares between its commands and the wrapper. */
export interface RunState {
  io: Io;
  exitCode: number;
  clients: KipperClient[];
}

/** Adds one command under `parent` (program.ts lists them all). */
export type CommandFactory = (parent: Command, state: RunState) => Command;

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
    const globals = command.optsWithGlobals<{ output?: OutputFormat }>();
    const out = new Output(state.io, globals.output === 'json' ? 'json' : 'text');
    let configured: KipperClient | undefined;
    let target: ApiTarget | undefined;
    const ctx: Context = {
      io: state.io,
      out,
      now: () => state.io.now(),
      client: async (given) => {
        if (configured && !given) return configured;
        target = given ?? (await resolveConfig(state.io.env));
        const client = connect(target);
        state.clients.push(client);
        if (!given) configured = client;
        return client;
      },
      explain: (error) => (target ? inCliWords(error, target) : new CliError(error.message, ExitCode.Failed, error.code)),
    };
    try {
      const code = await run(ctx, ...args);
      state.exitCode = code ?? ExitCode.Ok;
    } catch (error) {
      state.exitCode = reportError(out, state.io, error instanceof KipperClientError ? ctx.explain(error) : error);
    }
  };
}

/** Reports what went wrong the way kip does everywhere (`Error: …`, JSON with --output json); answers the exit code. */
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
