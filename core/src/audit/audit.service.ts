import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity.js';

/** Who changed what. `manager` lets a caller record inside its own transaction. */
export class AuditService {
  constructor(private readonly deps: { dataSource: DataSource }) {}

  async record(actor: string, action: string, target: string, details: Record<string, unknown> = {}, manager?: EntityManager): Promise<AuditEntry> {
    const repo = (manager ?? this.deps.dataSource.manager).getRepository(AuditEntry);
    return repo.save(repo.create({ actor, action, target, details }));
  }

  /** Newest first. */
  async recent(options: { target?: string; first?: number } = {}): Promise<AuditEntry[]> {
    return this.deps.dataSource.getRepository(AuditEntry).find({
      where: options.target ? { target: options.target } : {},
      order: { at: 'DESC' },
      take: Math.min(Math.max(options.first ?? 50, 1), 500),
    });
  }
}
