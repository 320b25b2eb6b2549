import { describe, expect, it } from 'vitest';
import { Output, terminalSafe, type Io } from '../src/output.js';

describe('what reaches the terminal', () => {
  it('shows control characters in server data as escapes, so nothing forges a line or moves the cursor', () => {
    expect(terminalSafe('registry.example.com/web:v1\nImage: evil')).toBe('registry.example.com/web:v1\\nImage: evil');
    expect(terminalSafe('abc\u001b[2Jdef\u0007\r')).toBe('abc\\x1b[2Jdef\\x07\\r');
    expect(terminalSafe('hidden \u001b[8msecret\u001b[0m')).toBe('hidden \\x1b[8msecret\\x1b[0m');
    expect(terminalSafe('tab\tand ünïcode stay')).toBe('tab\tand ünïcode stay');
  });

  it('keeps the colours Kipper itself writes', () => {
    const written: string[] = [];
    const io = { stdout: { write: (s: string) => written.push(s), isTTY: true }, stderr: { write: (s: string) => written.push(s) }, env: {} } as unknown as Io;
    const out = new Output(io, 'text');
    out.success('Rolled back api to revision #2 (img:v1\nforged)');
    out.error('App "x\u001b]0;title\u0007" not found');
    expect(written).toEqual(['\u001b[32m✔\u001b[39m Rolled back api to revision #2 (img:v1\\nforged)\n', 'Error: App "x\\x1b]0;title\\x07" not found\n']);
  });
});
