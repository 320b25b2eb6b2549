import type { Env } from './config.js';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Readable extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: Env;
  now(): Date;
}

export type OutputFormat = 'text' | 'json';

const codes = { green: [32, 39], red: [31, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Style = keyof typeof codes;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /\u001b\[(?:1|2|22|31|32|33|39)m|[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * A line as it may reach a terminal. Server data (image names, commits, git URLs, failure
 * reasons) is given by users: a newline in it would forge a second line, an escape sequence
 * could clear the screen or rewrite what was printed. Every control character becomes a
 * visible escape (`\n`, `\x1b`); only the few colour codes `style` writes pass (none hides text).
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (match) => {
    if (match.length > 1) return match;
    if (match === '\n') return '\\n';
    if (match === '\r') return '\\r';
    return `\\x${match.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** NO_COLOR (https://no-color.org): present and not empty turns colour off. */
export function colourAllowed(stream: Writable, env: Env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/**
 * Printing for commands. Text goes to stdout; with `--output json` a command prints one JSON
 * document and nothing else on stdout. Colour only on a terminal and never with NO_COLOR.
 */
export class Output {
  readonly colour: boolean;
  readonly errColour: boolean;

  constructor(
    readonly io: Io,
    readonly format: OutputFormat,
  ) {
    this.colour = format === 'text' && colourAllowed(io.stdout, io.env);
    this.errColour = colourAllowed(io.stderr, io.env);
  }

  get json(): boolean {
    return this.format === 'json';
  }

  style(style: Style, text: string, colour = this.colour): string {
    if (!colour) return text;
    const [open, close] = codes[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A line of text output; ignored with `--output json`. */
  line(text = ''): void {
    if (this.json) return;
    this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  lines(text: string): void {
    for (const line of text.replace(/\n+$/, '').split('\n')) this.line(line);
  }

  success(text: string): void {
    this.line(`${this.style('green', '✔')} ${text}`);
  }

  failure(text: string): void {
    this.line(`${this.style('red', '✖')} ${text}`);
  }

  /** The JSON document of a command; printed only with `--output json`. */
  result(value: unknown): void {
    if (!this.json) return;
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Progress and notes that are not the result: stdout in text mode, stderr in JSON mode. */
  note(text: string): void {
    if (this.json) this.io.stderr.write(`${terminalSafe(text)}\n`);
    else this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.style('yellow', 'Warning:', this.errColour)} ${terminalSafe(text)}\n`);
  }

  error(message: string, code?: string): void {
    if (this.json) {
      this.io.stderr.write(`${JSON.stringify({ error: { code: code ?? 'ERROR', message } })}\n`);
      return;
    }
    this.io.stderr.write(`${this.style('red', 'Error:', this.errColour)} ${terminalSafe(message)}\n`);
  }
}
