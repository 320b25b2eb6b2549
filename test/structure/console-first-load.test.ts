// The console's first load (the entry script and the chunks index.html preloads) stays within
// 50 kB of gzipped JavaScript: pages are chunks fetched when first opened. Reads console/dist,
// so run `npm run build` first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const BUDGET = 50 * 1024;

describe('console first load', () => {
  it('is at most 50 kB of gzipped JavaScript', () => {
    const index = join(DIST, 'index.html');
    if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build\` first.`);
    const scripts = [...readFileSync(index, 'utf8').matchAll(/(?:src|href)="(?:\.?\/)?(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((file) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total, `first load: ${scripts.join(', ')}`).toBeLessThanOrEqual(BUDGET);
  });
});
