import type { DataSource } from 'typeorm';
import { App, AppSource } from '../apps/app.entity.js';
import { gateOf } from '../approvals/environment-gate.js';
import type { KipperConfig } from '../config/config.js';
import { ErrorCode } from '../errors/error-code.js';
import { Project } from '../projects/project.entity.js';
import { Revision } from '../revisions/revision.entity.js';
import { commitsBetween, type CommitLine } from './commit-log.js';
import { pinnedImageOf } from './pinned-image.js';
import { promotionTarget } from './promotion-target.js';
import { settingsDifferences, type SettingDifference } from './settings-diff.js';

/** What a promotion would change in the target, computed without changing anything (`kip app promote --dry-run`, the console's dialog). */
export interface PromotionPreview {
  app: string;
  project: string;
  from: string;
  to: string;
  /** People must type the target's name to confirm (console). */
  toProtected: boolean;
  /** The source's current revision (what would be promoted). */
  source: Revision | null;
  /** The target app's current revision (what it runs now); null when nothing runs there or the app is missing. */
  target: Revision | null;
  targetExists: boolean;
  /** What the target would deploy (`repository@sha256:…`) and the tag it is known by. */
  image: string | null;
  imageTag: string | null;
  /** Commits from the target's to the source's (newest first), when both have commits and the app is built from git. */
  commits: CommitLine[] | null;
  commitsNote: string | null;
  /** Replicas, port and env vars that differ between the source app and the target app (they stay different). */
  differences: SettingDifference[];
  requiredApprovals: number;
  approvers: string[];
  frozenReason: string | null;
  /** Why the promotion would be refused now (its error code and message), or null. */
  blockedCode: ErrorCode | null;
  blocked: string | null;
}

/** Previews of promotions: the same target, digest and refusals as RevisionService.promote, read only. */
export class PromotionPreviewService {
  constructor(private readonly deps: { dataSource: DataSource; config: Pick<KipperConfig, 'gitProtocols' | 'gitAllowPrivate'> }) {}

  async preview(app: App, to: string | null | undefined): Promise<PromotionPreview> {
    const manager = this.deps.dataSource.manager;
    const { from, target } = await promotionTarget(manager, app, to);
    const project = await manager.getRepository(Project).findOneByOrFail({ id: app.projectId });
    const revisions = manager.getRepository(Revision);
    const source = app.currentRevisionId ? await revisions.findOneBy({ id: app.currentRevisionId }) : null;
    const destination = await manager.getRepository(App).findOneBy({ namespace: target.namespace, name: app.name });
    const running = destination?.currentRevisionId ? await revisions.findOneBy({ id: destination.currentRevisionId }) : null;
    const pinned = source ? pinnedImageOf(source) : null;
    const gate = destination ? await gateOf(manager, destination) : null;
    const blocked = blockedBy({ app: app.name, from: from.name, to: target.name, project: project.name, source, pinned, destination, frozen: gate?.frozenReason ?? target.frozenReason });
    const commits =
      app.source === AppSource.GIT && app.gitUrl && source?.commit && running?.commit && source.commit !== running.commit
        ? await commitsBetween(app.gitUrl, running.commit, source.commit, { protocols: this.deps.config.gitProtocols, allowPrivate: this.deps.config.gitAllowPrivate })
        : { commits: null, note: commitsNoteOf(app, source, running) };
    return {
      app: app.name,
      project: project.name,
      from: from.name,
      to: target.name,
      toProtected: target.protected,
      source,
      target: running,
      targetExists: destination !== null,
      image: pinned?.image ?? null,
      imageTag: pinned?.tag ?? source?.image ?? null,
      commits: commits.commits,
      commitsNote: commits.note,
      differences: destination ? settingsDifferences(app, destination) : [],
      requiredApprovals: target.requiredApprovals,
      approvers: target.approvers && target.approvers.length > 0 ? target.approvers : ['role:admin'],
      frozenReason: target.frozenReason,
      blockedCode: blocked?.code ?? null,
      blocked: blocked?.message ?? null,
    };
  }
}

function commitsNoteOf(app: App, source: Revision | null, running: Revision | null): string | null {
  if (app.source !== AppSource.GIT) return 'commits not listed: the app deploys images, Kipper does not know their git history';
  if (!source?.commit || !running?.commit) return 'commits not listed: the source or the target has no commit recorded';
  if (source.commit === running.commit) return 'no new commits: the target runs the same commit';
  return null;
}

function blockedBy(s: {
  app: string;
  from: string;
  to: string;
  project: string;
  source: Revision | null;
  pinned: { image: string } | null;
  destination: App | null;
  frozen: string | null;
}): { code: ErrorCode; message: string } | null {
  if (!s.source?.image) return { code: ErrorCode.NOTHING_TO_PROMOTE, message: `App ${s.app} in ${s.from} has no live revision yet: there is nothing to promote` };
  if (!s.pinned) return { code: ErrorCode.DIGEST_UNKNOWN, message: `Revision #${s.source.number} in ${s.from} has no recorded digest: deploy it again in ${s.from}, then promote` };
  if (!s.destination) {
    return {
      code: ErrorCode.APP_NOT_FOUND,
      message: `App ${s.app} does not exist in ${s.to}: create it there once with the same settings (kip app deploy ${s.app} --project ${s.project} --environment ${s.to} --image ${s.source.image}), then promote`,
    };
  }
  if (s.frozen) return { code: ErrorCode.ENVIRONMENT_FROZEN, message: `Environment ${s.to} is frozen: ${s.frozen}` };
  return null;
}
