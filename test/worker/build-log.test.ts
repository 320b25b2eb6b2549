import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSource, Build, BuildStatus } from '@kipper/core';
import { BuildLogSink, capLine, droppedMarker, linesSeen, MAX_LINE_BYTES, MAX_STORED_LINES } from '@kipper/worker/testing';
import type { DeployEvents } from '@kipper/worker/testing';
import { createApp, startStack, type Stack } from './harness.js';

/** The build log record: lines capped at 4 KiB, the newest 5,000 kept in PostgreSQL. */
describe('worker: build log limits', () => {
  let stack: Stack;
  let number = 0;
  const published: string[] = [];
  const events: DeployEvents = {
    buildLog: (_id, line) => {
      published.push(line);
      return Promise.resolve();
    },
  };
  const quiet = { info: () => undefined, warn: (m: string, e?: unknown) => console.warn(m, e), error: () => undefined };

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function newBuild(): Promise<Build> {
    const app = await createApp(stack, { name: `logs-${++number}`, source: AppSource.GIT, gitUrl: 'https://example.com/x.git' });
    return stack.db.getRepository(Build).save({ appId: app.id, number: 1, revisionId: null, commit: null, status: BuildStatus.RUNNING, image: null, jobName: null });
  }
  const stored = async (build: Build) => (await stack.db.getRepository(Build).findOneByOrFail({ id: build.id })).log;

  it('cuts long lines at 4 KiB with a marker, on character boundaries', () => {
    expect(capLine('short')).toBe('short');
    const exact = 'x'.repeat(MAX_LINE_BYTES);
    expect(capLine(exact)).toBe(exact);
    const long = capLine('y'.repeat(10 * MAX_LINE_BYTES));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(long).toMatch(/^y+ \[kipper: line truncated, \d+ more bytes\]$/);
    const kept = long.length - long.indexOf(' [kipper');
    expect(Number(/(\d+) more bytes/.exec(long)![1])).toBe(10 * MAX_LINE_BYTES - (long.length - kept));
    const multibyte = capLine('é€😀'.repeat(2000));
    expect(Buffer.byteLength(multibyte)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(multibyte).not.toContain('\uFFFD');
    expect(capLine('a\u0000b')).toBe('a\uFFFDb');
  });

  it('keeps the newest 5,000 lines, with one marker line counting the dropped ones, across flushes', async () => {
    const build = await newBuild();
    const sink = new BuildLogSink(stack.db, events, build.id, 5, quiet);
    const total = 12_345;
    published.length = 0;
    for (let i = 1; i <= total; i++) {
      sink.push(`line ${i}`);
      if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 10)); // several flushes
    }
    sink.push('z'.repeat(20_000));
    await sink.close();
    expect(published).toHaveLength(total + 1); // live lines all published
    expect(Buffer.byteLength(published.at(-1)!)).toBeLessThanOrEqual(MAX_LINE_BYTES);

    const log = await stored(build);
    expect(log).toHaveLength(MAX_STORED_LINES);
    const dropped = total + 1 - (MAX_STORED_LINES - 1);
    expect(log[0]).toBe(droppedMarker(dropped));
    expect(log[1]).toBe(`line ${dropped + 1}`);
    expect(log.at(-2)).toBe(`line ${total}`);
    expect(log.at(-1)).toMatch(/^z+ \[kipper: line truncated, \d+ more bytes\]$/);
    expect(log.filter((l) => l.startsWith('[kipper]'))).toHaveLength(1);
    // A resumed follower skips every line the record stands for, dropped ones included.
    expect(linesSeen(log)).toBe(total + 1);

    // More lines later (a resumed build): the marker's count goes on.
    const again = new BuildLogSink(stack.db, events, build.id, 5, quiet);
    for (let i = 1; i <= 10; i++) again.push(`more ${i}`);
    await again.close();
    const after = await stored(build);
    expect(after).toHaveLength(MAX_STORED_LINES);
    expect(after[0]).toBe(droppedMarker(dropped + 10));
    expect(after.at(-1)).toBe('more 10');
    expect(linesSeen(after)).toBe(total + 11);
  });

  it('a flood inside one flush interval is trimmed in memory too; short logs stay untouched', async () => {
    const build = await newBuild();
    const sink = new BuildLogSink(stack.db, events, build.id, 60_000, quiet);
    for (let i = 1; i <= 30_000; i++) sink.push(`flood ${i}`);
    await sink.close();
    const log = await stored(build);
    expect(log).toHaveLength(MAX_STORED_LINES);
    expect(log[0]).toBe(droppedMarker(30_000 - (MAX_STORED_LINES - 1)));
    expect(log.at(-1)).toBe('flood 30000');

    const small = await newBuild();
    const sink2 = new BuildLogSink(stack.db, events, small.id, 5, quiet);
    for (let i = 1; i <= 3; i++) sink2.push(`step ${i}`);
    await sink2.close();
    expect(await stored(small)).toEqual(['step 1', 'step 2', 'step 3']);
    expect(linesSeen(['step 1'])).toBe(1);
  });
});
