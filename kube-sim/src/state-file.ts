import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { findResource } from './resources.js';
import type { Store, StoreSnapshot } from './store.js';

/** How long writes are gathered before the state file is rewritten: a rollout makes dozens in a second. */
const DEBOUNCE_MS = 250;

export interface StateFile {
  /** Waits for a write in flight, then writes what is pending (close() calls it, so a stop loses nothing). */
  flush(): Promise<void>;
  stop(): void;
}

/** Loads the saved objects into the store; false when there is no file yet (a first start). */
export function loadState(path: string, store: Store): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let snapshot: StoreSnapshot;
  try {
    snapshot = JSON.parse(text) as StoreSnapshot;
    if (!Number.isInteger(snapshot.revision) || !Array.isArray(snapshot.objects)) throw new Error('not a snapshot');
  } catch (err) {
    throw new Error(`the simulator's state file ${path} is not readable (${(err as Error).message}); move it away to start empty`, { cause: err });
  }
  store.restore(snapshot, (group, plural) => findResource(group, 'v1', plural));
  return true;
}

/**
 * Keeps the file in step with the store: every change schedules one write, at most every
 * DEBOUNCE_MS. Each write goes to a temporary file renamed over the old one, so a crash mid-write
 * leaves the previous state whole.
 */
export function keepState(path: string, store: Store): StateFile {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;
  const write = () => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const text = JSON.stringify(store.snapshot());
    writing = writing
      .then(async () => {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(temporary, text, { mode: 0o600 });
        await rename(temporary, path);
      })
      .catch((err: unknown) => console.error(`kube-sim: could not save its state to ${path}: ${(err as Error).message}`));
  };
  const unsubscribe = store.subscribe(() => {
    dirty = true;
    timer ??= setTimeout(write, DEBOUNCE_MS);
  });
  dirty = true; // the first file holds the initial namespaces too
  timer = setTimeout(write, DEBOUNCE_MS);
  return {
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await writing;
      if (!dirty) return;
      dirty = false;
      writeFileSync(temporary, JSON.stringify(store.snapshot()), { mode: 0o600 });
      renameSync(temporary, path);
    },
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
