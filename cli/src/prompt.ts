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
