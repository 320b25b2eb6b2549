import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/lines.js';

const feed = async (chunks: (string | Buffer)[]) => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const chunk of chunks) splitter.write(chunk);
  await new Promise<void>((resolve) => splitter.end(resolve));
  return lines;
};

describe('LineSplitter', () => {
  it('splits across chunks, strips \\r, keeps empty lines and a last unterminated line', async () => {
    expect(await feed(['a\nb', 'c\r\n\n', 'last'])).toEqual(['a', 'bc', '', 'last']);
  });

  it('does not break multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('héllo ✔\n');
    expect(await feed([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo ✔']);
  });
});
