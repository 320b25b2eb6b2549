import type { PromotionPreview } from '@kipper/client';
import { shortCommit, shortDigest } from '../../format.js';

/** The preview as lines: what changes in the target, what stays different, what it needs. */
export function previewLines(p: PromotionPreview): string[] {
  const lines = [`Promote ${p.app} from ${p.from} to ${p.to}${p.toProtected ? ' (protected)' : ''}:`];
  const before = p.target ? `${p.target.imageTag ?? p.target.image ?? '-'} (${shortDigest(p.target.digest)}, revision #${p.target.number})` : p.targetExists ? 'nothing running' : `no app ${p.app} in ${p.to}`;
  const after = p.source ? `${p.imageTag ?? p.source.image ?? '-'} (${shortDigest(p.source.digest)}, ${p.from} revision #${p.source.number})` : 'nothing live to promote';
  lines.push(`  image before: ${before}`);
  lines.push(`  image after:  ${after}`);
  if (p.image) lines.push(`  deploys:      ${p.image}`);
  if (p.commits) {
    lines.push(p.commits.length === 0 ? '  commits:      none new' : `  commits (${p.commits.length}):`);
    for (const c of p.commits) lines.push(`    ${shortCommit(c.sha)} ${c.subject}`);
  } else if (p.commitsNote) {
    lines.push(`  commits:      ${p.commitsNote}`);
  }
  if (p.differences.length > 0) {
    lines.push('  settings that stay different:');
    for (const d of p.differences) lines.push(`    ${d.setting}: ${d.source ?? '(unset)'} in ${p.from}, ${d.target ?? '(unset)'} in ${p.to}`);
  }
  if (p.frozenReason) lines.push(`  ${p.to} is frozen: ${p.frozenReason}`);
  else if (p.requiredApprovals > 0) lines.push(`  approvals:    ${p.requiredApprovals} needed from ${p.approvers.join(', ')} before it rolls out`);
  if (p.blocked) lines.push(`  refused now:  ${p.blocked}`);
  return lines;
}

/** The preview as `--output json` prints it. */
export function previewJson(p: PromotionPreview): Record<string, unknown> {
  const revision = (r: PromotionPreview['source']) => (r ? { number: r.number, image: r.image, imageTag: r.imageTag, digest: r.digest, commit: r.commit } : null);
  return {
    app: p.app,
    project: p.project,
    from: p.from,
    to: p.to,
    protected: p.toProtected,
    before: revision(p.target),
    after: p.source ? { ...revision(p.source), image: p.image, imageTag: p.imageTag } : null,
    targetExists: p.targetExists,
    commits: p.commits,
    commitsNote: p.commitsNote,
    differences: p.differences,
    approvals: { required: p.requiredApprovals, approvers: p.approvers },
    frozen: p.frozenReason,
    blocked: p.blocked ? { code: p.blockedCode, message: p.blocked } : null,
  };
}
