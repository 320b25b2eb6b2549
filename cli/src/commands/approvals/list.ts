import { PendingApprovalsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { relativeTime, table } from '../../format.js';
import { withOutput } from '../../options.js';

/** `kip approvals [--project P]`: revisions awaiting approval, those you may decide first. */
export function approvalsCommand(program: Command, state: RunState): Command {
  return withOutput(
    program
      .command('approvals')
      .description('deploys awaiting approval in your projects (kip approve / kip reject decide them)')
      .option('-p, --project <project>', 'only this project')
      .option('--all', 'also those you cannot decide (your own, or already decided by you)', false),
  ).action(
    action(state, async (ctx, opts: { project?: string; all: boolean }) => {
      const client = await ctx.client();
      const pending = (await client.request(PendingApprovalsQuery, { project: opts.project ?? null })).pendingApprovals;
      const shown = opts.all ? pending : pending.filter((p) => p.canDecide);
      if (shown.length === 0) {
        const others = pending.length - shown.length;
        ctx.out.line(`Nothing awaits your approval${opts.project ? ` in ${opts.project}` : ''}.${others > 0 ? ` ${others} ${others === 1 ? 'other waits' : 'others wait'} for other approvers (--all).` : ''}`);
      } else {
        const now = ctx.now();
        const rows = shown.map((p) => [
          `${p.project.name}/${p.environment.name}`,
          p.app.name,
          `#${p.revision.number}`,
          p.revision.imageTag ?? p.revision.image ?? '-',
          p.revision.triggeredBy,
          `${p.approval.approved}/${p.approval.required}`,
          relativeTime(p.revision.createdAt, now),
        ]);
        for (const line of table(['ENVIRONMENT', 'APP', 'REVISION', 'IMAGE', 'REQUESTED BY', 'APPROVALS', 'WHEN'], rows)) ctx.out.line(line);
        const first = shown.find((p) => p.canDecide);
        if (first) ctx.out.line(`Decide with kip approve ${first.app.name} --namespace ${first.app.namespace} --revision ${first.revision.number} (or kip reject …).`);
      }
      ctx.out.result({
        approvals: shown.map((p) => ({
          project: p.project.name,
          environment: p.environment.name,
          app: p.app.name,
          namespace: p.app.namespace,
          revision: p.revision.number,
          image: p.revision.image,
          imageTag: p.revision.imageTag,
          requestedBy: p.revision.triggeredBy,
          approved: p.approval.approved,
          required: p.approval.required,
          approvers: p.approval.approvers,
          decisions: p.approval.decisions.map((d) => ({ ...d, decision: d.decision.toLowerCase() })),
          canDecide: p.canDecide,
          createdAt: p.revision.createdAt,
        })),
      });
    }),
  );
}
