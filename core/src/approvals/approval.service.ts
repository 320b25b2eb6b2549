import { In, type DataSource } from 'typeorm';
import { App } from '../apps/app.entity.js';
import { appTarget, projectTarget, type AuditService } from '../audit/audit.service.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { DeployEventType } from '../events/deploy-event.js';
import type { EventPublisher } from '../events/event.publisher.js';
import type { JobQueue } from '../jobs/job.queue.js';
import { Environment } from '../projects/environment.entity.js';
import { Project } from '../projects/project.entity.js';
import { isAutomatedTrigger, pinApp, releasePin } from '../revisions/pin.js';
import { Revision, RevisionStatus, RevisionTrigger } from '../revisions/revision.entity.js';
import { dispatchRevision } from '../revisions/revision.records.js';
import { lockForTransition, transition } from '../revisions/revision.transition.js';
import { DEFAULT_APPROVERS, gateOf, isApprover } from './environment-gate.js';
import { ApprovalDecision, RevisionApproval } from './revision-approval.entity.js';

export interface ApprovalServiceDeps {
  dataSource: DataSource;
  queue: JobQueue;
  events: EventPublisher;
  audit: AuditService;
}

/** Who decides, as the api knows them: the audit actor and their role in the app's project (null: none). */
export interface Decider {
  actor: string;
  role: string | null;
}

export interface DecisionResult {
  revision: Revision;
  approvals: number;
  required: number;
}

/** A revision waiting for approvers, with what it has so far. */
export interface AwaitingRevision {
  revision: Revision;
  app: App;
  environment: Environment;
  project: Project;
  decisions: RevisionApproval[];
}

/** What `kip project environment set` changes; omitted fields stay as they are. */
export interface EnvironmentSettings {
  approvals?: number | null;
  approvers?: string[] | null;
  protected?: boolean | null;
  freeze?: string | null;
  unfreeze?: boolean | null;
}

const APPROVER_RULE = /^(role:(viewer|deployer|admin)|user:[^\s]{1,100})$/;
const MAX_APPROVALS = 10;
const MAX_COMMENT = 1000;
const MAX_FREEZE_REASON = 500;

/**
 * Approvals and freezes of environments. A deploy into an environment that requires approvals
 * is recorded `awaiting_approval` (RevisionService); here approvers decide it: each person once,
 * never the person who requested it, only those the environment's approvers name. Enough
 * approvals move it on through the state machine (queued, or held while the app is pinned for an
 * automated delivery) and dispatch it; a rejection ends it. Every decision is audited and
 * published on the app's and project's events.
 */
export class ApprovalService {
  constructor(private readonly deps: ApprovalServiceDeps) {}

  async decide(app: App, number: number, decider: Decider, decision: ApprovalDecision, comment: string | null = null): Promise<DecisionResult> {
    const text = comment?.trim() ? comment.trim() : null;
    if (text && text.length > MAX_COMMENT) throw new KipperError(ErrorCode.VALIDATION_FAILED, `A comment has at most ${MAX_COMMENT} characters`, { field: 'comment' });
    const revision = await this.deps.dataSource.getRepository(Revision).findOneBy({ appId: app.id, number });
    if (!revision) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `App ${app.name} has no revision #${number}`);
    const result = await this.deps.dataSource.transaction(async (tx) => {
      const { app: lockedApp, locked } = await lockForTransition(tx, revision);
      if (locked.status !== RevisionStatus.AWAITING_APPROVAL) {
        throw new KipperError(ErrorCode.NOT_AWAITING_APPROVAL, `Revision #${number} of ${app.name} is ${locked.status}: it is not awaiting approval`, { status: locked.status });
      }
      if (locked.triggeredBy === decider.actor) {
        throw new KipperError(ErrorCode.SELF_APPROVAL, `${decider.actor} requested revision #${number} of ${app.name}: someone else has to approve or reject it`);
      }
      const gate = await gateOf(tx, app);
      if (!isApprover(gate.approvers, decider.actor, decider.role)) {
        throw new KipperError(ErrorCode.NOT_AN_APPROVER, `${decider.actor} is not an approver of ${gate.environment} (approvers: ${gate.approvers.join(', ')})`, { approvers: gate.approvers });
      }
      const approvals = tx.getRepository(RevisionApproval);
      if (await approvals.existsBy({ revisionId: revision.id, actor: decider.actor })) {
        throw new KipperError(ErrorCode.ALREADY_DECIDED, `${decider.actor} already decided on revision #${number} of ${app.name}: each person counts once`);
      }
      await approvals.insert({ revisionId: revision.id, actor: decider.actor, decision, comment: text });
      const approved = await approvals.countBy({ revisionId: revision.id, decision: ApprovalDecision.APPROVE });
      const required = Math.max(gate.requiredApprovals, 1);
      const details = { revision: number, comment: text, approvals: approved, required, environment: gate.environment };
      await this.deps.audit.record(decider.actor, decision === ApprovalDecision.APPROVE ? 'revision.approve' : 'revision.reject', appTarget(app), details, tx);
      if (decision === ApprovalDecision.REJECT) {
        await transition(tx, revision, RevisionStatus.REJECTED, { failureReason: `rejected by ${decider.actor}${text ? `: ${text}` : ''}` });
        return { approved, required, superseded: [] as Revision[] };
      }
      if (approved < required) return { approved, required, superseded: [] as Revision[] };
      // Approved: what the deploy would have done at once happens now (pins, held deliveries).
      const automated = isAutomatedTrigger(revision.trigger);
      const held = automated && lockedApp.pinnedRevisionId !== null;
      await transition(tx, revision, held ? RevisionStatus.HELD : RevisionStatus.QUEUED);
      if (held) return { approved, required, superseded: [] as Revision[] };
      if (revision.trigger === RevisionTrigger.ROLLBACK) {
        await pinApp(tx, this.deps.audit, app, revision, revision.triggeredBy);
        return { approved, required, superseded: [] as Revision[] };
      }
      if (automated) return { approved, required, superseded: [] as Revision[] };
      const released = await releasePin(tx, this.deps.audit, app, revision, revision.triggeredBy);
      return { approved, required, superseded: released.superseded };
    });
    const verdict =
      decision === ApprovalDecision.REJECT
        ? `rejected by ${decider.actor}${text ? `: ${text}` : ''}`
        : `approved by ${decider.actor} (${result.approved}/${result.required})${text ? `: ${text}` : ''}`;
    await this.deps.events.revisionChanged(revision, app, decision === ApprovalDecision.REJECT ? DeployEventType.REJECTED : DeployEventType.APPROVED, verdict);
    for (const gone of result.superseded) await this.deps.events.revisionChanged(gone, app, DeployEventType.SUPERSEDED, gone.failureReason);
    if (revision.status === RevisionStatus.QUEUED || revision.status === RevisionStatus.HELD) {
      // Committed: the worker's sweeper enqueues it if Redis does not answer now.
      await dispatchRevision(this.deps, app, revision);
    }
    return { revision, approvals: result.approved, required: result.required };
  }

  /** Decisions on a revision, oldest first. */
  async decisionsOf(revisionId: string): Promise<RevisionApproval[]> {
    return this.deps.dataSource.getRepository(RevisionApproval).find({ where: { revisionId }, order: { createdAt: 'ASC' } });
  }

  /** Revisions awaiting approval in the given projects (oldest first), with their decisions so far. */
  async awaiting(projectIds: string[] | 'all'): Promise<AwaitingRevision[]> {
    if (projectIds !== 'all' && projectIds.length === 0) return [];
    const revisions = await this.deps.dataSource.getRepository(Revision).find({
      where: { status: RevisionStatus.AWAITING_APPROVAL, ...(projectIds === 'all' ? {} : { app: { projectId: In(projectIds) } }) },
      relations: { app: true },
      order: { createdAt: 'ASC' },
      take: 200,
    });
    if (revisions.length === 0) return [];
    const environments = await this.deps.dataSource.getRepository(Environment).find({ where: { id: In([...new Set(revisions.map((r) => r.app.environmentId))]) }, relations: { project: true } });
    const decisions = await this.deps.dataSource.getRepository(RevisionApproval).find({ where: { revisionId: In(revisions.map((r) => r.id)) }, order: { createdAt: 'ASC' } });
    return revisions.map((revision) => {
      const environment = environments.find((e) => e.id === revision.app.environmentId)!;
      return { revision, app: revision.app, environment, project: environment.project, decisions: decisions.filter((d) => d.revisionId === revision.id) };
    });
  }

  /** May this person decide the revision (an approver of its environment who did not request it and has not decided yet)? */
  canDecide(item: AwaitingRevision, decider: Decider): boolean {
    return (
      item.revision.triggeredBy !== decider.actor &&
      isApprover(approversOf(item.environment), decider.actor, decider.role) &&
      !item.decisions.some((d) => d.actor === decider.actor)
    );
  }

  /** `kip project environment set`: approvals, approvers, protection and freezes (project admins). */
  async configureEnvironment(project: Project, environment: Environment, settings: EnvironmentSettings, actor: string): Promise<Environment> {
    const update: Partial<Environment> = {};
    if (settings.approvals !== undefined && settings.approvals !== null) {
      if (!Number.isInteger(settings.approvals) || settings.approvals < 0 || settings.approvals > MAX_APPROVALS) {
        throw new KipperError(ErrorCode.VALIDATION_FAILED, `approvals must be a whole number from 0 to ${MAX_APPROVALS}, got ${settings.approvals}`, { field: 'approvals' });
      }
      update.requiredApprovals = settings.approvals;
    }
    if (settings.approvers !== undefined && settings.approvers !== null) {
      const bad = settings.approvers.find((rule) => !APPROVER_RULE.test(rule));
      if (bad !== undefined) {
        throw new KipperError(ErrorCode.VALIDATION_FAILED, `approver ${JSON.stringify(bad)} is not role:viewer|deployer|admin or user:NAME`, { field: 'approvers' });
      }
      update.approvers = settings.approvers.length > 0 ? [...new Set(settings.approvers)] : null;
    }
    if (settings.protected !== undefined && settings.protected !== null) update.protected = settings.protected;
    if (settings.freeze !== undefined && settings.freeze !== null) {
      if (settings.unfreeze) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'Give either freeze or unfreeze, not both', { field: 'freeze' });
      const reason = settings.freeze.trim();
      if (!reason || reason.length > MAX_FREEZE_REASON) {
        throw new KipperError(ErrorCode.VALIDATION_FAILED, `A freeze needs a reason of 1 to ${MAX_FREEZE_REASON} characters (people refused a deploy read it)`, { field: 'freeze' });
      }
      Object.assign(update, { frozenReason: reason, frozenBy: actor, frozenAt: new Date() });
    } else if (settings.unfreeze) {
      Object.assign(update, { frozenReason: null, frozenBy: null, frozenAt: null });
    }
    if (Object.keys(update).length === 0) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'Nothing to change: give approvals, approvers, protected, freeze or unfreeze');
    const before = settingsOf(environment);
    await this.deps.dataSource.transaction(async (tx) => {
      await tx.getRepository(Environment).update(environment.id, update);
      Object.assign(environment, update);
      await this.deps.audit.record(actor, 'environment.configure', projectTarget(project), { environment: environment.name, before, after: settingsOf(environment) }, tx);
    });
    return environment;
  }
}

export function approversOf(environment: Pick<Environment, 'approvers'>): string[] {
  return environment.approvers && environment.approvers.length > 0 ? environment.approvers : DEFAULT_APPROVERS;
}

function settingsOf(environment: Environment): Record<string, unknown> {
  return {
    approvals: environment.requiredApprovals,
    approvers: approversOf(environment),
    protected: environment.protected,
    frozen: environment.frozenReason,
  };
}
