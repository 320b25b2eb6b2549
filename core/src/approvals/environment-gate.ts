import type { EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import type { Environment } from '../projects/environment.entity.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { RevisionStatus } from '../revisions/revision.entity.js';

/** What an environment asks of every deploy into it, and whether the app has deploys waiting on it. */
export interface EnvironmentGate {
  environment: string;
  requiredApprovals: number;
  approvers: string[];
  protected: boolean;
  frozenReason: string | null;
  frozenBy: string | null;
  frozenAt: Date | null;
  /** The app has revisions awaiting approval (a newer revision supersedes them). */
  awaiting: boolean;
}

/** Approvers when none are named: the project's admins. */
export const DEFAULT_APPROVERS = ['role:admin'];

/** One round trip: the environment's rules and whether the app has revisions waiting for approval. */
export async function gateOf(manager: EntityManager, app: Pick<App, 'id' | 'environmentId'>): Promise<EnvironmentGate> {
  const rows: { name: string; required_approvals: number; approvers: string[] | null; protected: boolean; frozen_reason: string | null; frozen_by: string | null; frozen_at: Date | null; awaiting: boolean }[] =
    await manager.query(
      `SELECT e.name, e.required_approvals, e.approvers, e.protected, e.frozen_reason, e.frozen_by, e.frozen_at,
              EXISTS (SELECT 1 FROM revision r WHERE r.app_id = $2 AND r.status = $3) AS awaiting
       FROM environment e WHERE e.id = $1`,
      [app.environmentId, app.id, RevisionStatus.AWAITING_APPROVAL],
    );
  const row = rows[0];
  if (!row) throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, 'The environment of the app was deleted meanwhile');
  return {
    environment: row.name,
    requiredApprovals: row.required_approvals,
    approvers: row.approvers && row.approvers.length > 0 ? row.approvers : DEFAULT_APPROVERS,
    protected: row.protected,
    frozenReason: row.frozen_reason,
    frozenBy: row.frozen_by,
    frozenAt: row.frozen_at,
    awaiting: row.awaiting,
  };
}

/** An environment's rules as a gate (without the app's waiting revisions). */
export function gateRulesOf(env: Pick<Environment, 'name' | 'requiredApprovals' | 'approvers' | 'protected' | 'frozenReason' | 'frozenBy' | 'frozenAt'>): Omit<EnvironmentGate, 'awaiting'> {
  return {
    environment: env.name,
    requiredApprovals: env.requiredApprovals,
    approvers: env.approvers && env.approvers.length > 0 ? env.approvers : DEFAULT_APPROVERS,
    protected: env.protected,
    frozenReason: env.frozenReason,
    frozenBy: env.frozenBy,
    frozenAt: env.frozenAt,
  };
}

/** The words every refusal of a frozen environment uses (GraphQL, webhooks' delivery log, CLI). */
export function frozenMessage(gate: Pick<EnvironmentGate, 'environment' | 'frozenReason' | 'frozenBy' | 'frozenAt'>): string {
  const since = gate.frozenAt ? ` since ${gate.frozenAt.toISOString().replace('T', ' ').slice(0, 16)} UTC` : '';
  const by = gate.frozenBy ? ` by ${gate.frozenBy}` : '';
  return `Environment ${gate.environment} is frozen${by}${since}: ${gate.frozenReason ?? ''}. Nothing deploys there until it is unfrozen; a project admin may still roll back.`;
}

/** ENVIRONMENT_FROZEN unless the environment is open, or this is a rollback by a project admin. */
export function assertOpen(gate: EnvironmentGate, options: { adminRollback?: boolean } = {}): void {
  if (gate.frozenReason === null || options.adminRollback) return;
  throw new KipperError(ErrorCode.ENVIRONMENT_FROZEN, frozenMessage(gate), { environment: gate.environment, reason: gate.frozenReason });
}

/** Does a person with `role` in the project (or named `actor`) count as an approver? */
export function isApprover(approvers: readonly string[], actor: string, role: string | null): boolean {
  const rank = (r: string) => ['viewer', 'deployer', 'admin'].indexOf(r);
  return approvers.some((rule) => {
    if (rule.startsWith('user:')) return rule.slice('user:'.length) === actor;
    if (rule.startsWith('role:')) return role !== null && rank(role) >= rank(rule.slice('role:'.length)) && rank(rule.slice('role:'.length)) >= 0;
    return false;
  });
}
