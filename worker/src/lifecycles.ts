import type { BuildLifecycleService, RevisionLifecycleService } from '@kipper/core';
import type { DataSource } from 'typeorm';
import { AppGoneError } from './errors.js';

/** Core's services that make every change to revisions and builds (the state machine). */
export interface Lifecycles {
  revisions: RevisionLifecycleService;
  builds: BuildLifecycleService;
}

export async function appExists(db: DataSource, appId: string): Promise<boolean> {
  const rows = (await db.query('SELECT 1 FROM app WHERE id = $1', [appId])) as unknown[];
  return rows.length > 0;
}

/**
 * Checked before every cluster write: a deleted app gets nothing (re)created. AppService.delete
 * does not take the app's lock, so the worker and the reconciler look each time.
 */
export async function assertAppExists(db: DataSource, appId: string): Promise<void> {
  if (!(await appExists(db, appId))) throw new AppGoneError(`app ${appId} was deleted`);
}
