import { Readable } from 'node:stream';
import type { Io } from '../../src/output.js';

export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

export function captureIo(options: { env?: Record<string, string | undefined>; tty?: boolean; stdin?: string; now?: Date } = {}): CapturedIo {
  let out = '';
  let err = '';
  const stdin = Readable.from(options.stdin !== undefined ? [options.stdin] : []) as Readable & { isTTY?: boolean };
  stdin.isTTY = options.tty ?? false;
  const now = options.now ?? new Date('2026-01-15T12:00:00Z');
  return {
    stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: options.tty ?? false },
    stdin,
    env: options.env ?? {},
    now: () => now,
    out: () => out,
    err: () => err,
  };
}
