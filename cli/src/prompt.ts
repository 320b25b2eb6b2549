import type { Io } from './output.js';

/** Asks a yes/no question on the terminal; only `y` or `yes` is a yes. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  // Loaded here, not up front: only `promote` on a terminal asks.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream, terminal: false });
  try {
    io.stdout.write(`${question} [y/N] `);
    const answer = await rl.question('');
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

/** Asks one line on the terminal (a name). */
export async function askLine(io: Io, question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream, terminal: false });
  try {
    io.stdout.write(question);
    return (await rl.question('')).trim();
  } finally {
    rl.close();
  }
}

/**
 * Asks a secret on the terminal without echoing it (raw mode, one character at a time);
 * Ctrl-C aborts, backspace deletes.
 */
export function askSecret(io: Io, question: string): Promise<string> {
  const input = io.stdin as NodeJS.ReadStream;
  io.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = input.isRaw === true;
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      io.stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('aborted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** The lines of stdin (`--password-stdin`): a password never appears in the process list or shell history. */
export async function readStdinLines(io: Io): Promise<string[]> {
  let text = '';
  for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text.split(/\r?\n/);
}

/** Whether the CLI may ask questions (both ends are a terminal). */
export function interactive(io: Io): boolean {
  return io.stdin.isTTY === true && io.stdout.isTTY === true;
}
