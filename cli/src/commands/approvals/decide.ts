import { ApproveRevisionMutation, RejectRevisionMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { revisionJson } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

interface DecideOptions extends AppRefOptions {
  revision: number;
  comment?: string;
}

/** `kip approve` and `kip reject`: the same arguments, one decision each. */
export function decisionCommand(program: Command, state: RunState, decision: 'approve' | 'reject'): Command {
  const approve = decision === 'approve';
  return withAppRef(
    withOutput(
      program
        .command(decision)
        .description(approve ? 'approve a deploy awaiting approval; with enough approvals it rolls out' : 'reject a deploy awaiting approval: it never rolls out')
        .argument('<app>', 'app name')
        .requiredOption('--revision <n>', 'the revision awaiting approval (kip approvals lists them)', parseIntOption('--revision', 1))
        .option('--comment <text>', approve ? 'why (kept in the audit log)' : 'why not (shown to the requester and kept in the audit log)'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: DecideOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const variables = { app: ref, revision: opts.revision, comment: opts.comment ?? null };
      const result = approve
        ? (await client.request(ApproveRevisionMutation, variables)).approveRevision
        : (await client.request(RejectRevisionMutation, variables)).rejectRevision;
      const r = result.revision;
      if (!approve) ctx.out.success(`Rejected revision #${r.number} of ${name}: it will not roll out`);
      else if (r.status === 'AWAITING_APPROVAL') ctx.out.success(`Approved revision #${r.number} of ${name} (${result.approved}/${result.required}): it awaits ${result.required - result.approved} more approval${result.required - result.approved === 1 ? '' : 's'}`);
      else ctx.out.success(`Approved revision #${r.number} of ${name} (${result.approved}/${result.required}): it is ${r.status === 'HELD' ? 'held (the app is pinned)' : 'queued and rolls out now'}`);
      ctx.out.result({ app: name, decision, approved: result.approved, required: result.required, revision: revisionJson(r) });
    }),
  );
}
