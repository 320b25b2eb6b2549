import type { DataSource } from 'typeorm';
import { clampPage } from '../revisions/revision.service.js';
import { Build } from './build.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class BuildService {
  constructor(private readonly deps: { dataSource: DataSource }) {}

  async byId(id: string): Promise<Build | null> {
    if (!UUID.test(id)) return null;
    return this.deps.dataSource.getRepository(Build).findOneBy({ id });
  }

  /** Newest first. */
  async list(appId: string, first?: number): Promise<Build[]> {
    return this.deps.dataSource.getRepository(Build).find({ where: { appId }, order: { number: 'DESC' }, take: clampPage(first) });
  }

  /** The last `tail` lines (all when absent). */
  static logLines(build: Build, tail?: number | null): string[] {
    if (tail === undefined || tail === null) return build.log;
    return tail <= 0 ? [] : build.log.slice(-tail);
  }
}
