import type { Command } from 'commander';
import { createKipperClient, type KipperClient } from './client.js';
import { resolveConfig } from './config.js';
import { CliError, ExitCode } from './errors.js';
import { Output, type Io, type OutputFormat } from './output.js';

/** What every command gets: its IO, its Output (text or JSON) and a lazily made API client. */
export interface Context {
  io: Io;
  out: Output;
  client(): Promise<KipperClient>;
  now(): Date;
}

export interface CliDeps {
  createClient?: typeof createKipperClient;
}

/** The state one run of `kip` shares between its commands and the wrapper. */
export interface RunState {
  io: Io;
  deps: CliDeps;
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

function reportError(out: Output, io: Io, error: unknown): number {
  if (error instanceof CliError) {
    out.error(error.message, error.code);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`Unexpected failure: ${message}`, 'INTERNAL');
  if (io.env.KIPPER_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Failed;
}
