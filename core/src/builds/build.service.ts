import type { DataSource } from 'typeorm';
import { isUuid } from '../database/uuid.js';
import { clampPage } from '../revisions/revision.service.js';
import { Build } from './build.entity.js';

export class BuildService {
  constructor(private readonly deps: { dataSource: DataSource }) {}

  async byId(id: string): Promise<Build | null> {
    if (!isUuid(id)) return null;
    return this.deps.dataSource.getRepository(Build).findOneBy({ id });
  }

  /** Newest first. */
  async list(appId: string, first?: number): Promise<Build[]> {
    return this.deps.dataSource.getRepository(Build).find({ where: { appId }, order: { number: 'DESC' }, take: clampPage(first) });
  }

  /** The last `tail` lines (all when absent), or the lines from index `from` on (a follower that has printed `from` lines). */
  static logLines(build: Build, tail?: number | null, from?: number | null): string[] {
    const lines = from !== undefined && from !== null ? build.log.slice(Math.max(0, from)) : build.log;
    if (tail === undefined || tail === null) return lines;
    return tail <= 0 ? [] : lines.slice(-tail);
  }
}
