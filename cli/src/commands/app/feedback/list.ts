import { FeedbackQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appNotFound } from '../../../errors.js';
import { relativeTime } from '../../../format.js';
import { appRef, refFlags, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';
import { PROVIDER_NAME } from './connect.js';

const STAGE: Record<string, string> = {
  HELD: 'held',
  QUEUED: 'queued',
  IN_PROGRESS: 'in progress',
  SUCCESS: 'success',
  FAILURE: 'failure',
  INACTIVE: 'inactive',
};

/** `kip app feedback list APP`: where the app's deploys are reported, and what was reported last. */
export function feedbackListCommand(feedback: Command, state: RunState): Command {
  return withAppRef(
    withOutput(feedback.command('list').description('where deploys are reported, last reports').argument('<app>', 'app name')),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const app = (await client.request(FeedbackQuery, { app: ref, reports: 3 })).app;
      if (!app) throw appNotFound(name, opts);
      if (app.feedback.length === 0) {
        ctx.out.line(`${name} (${app.namespace}) reports its deploys nowhere.`);
        ctx.out.line(`Connect it with: kip app feedback github ${name}${refFlags(ref)} --repo OWNER/REPO --token-from-secret NAME`);
      }
      for (const c of app.feedback) {
        ctx.out.line(`${PROVIDER_NAME[c.provider]} ${c.repository} (${c.apiUrl}), token from Secret ${c.tokenSecret.name}:${c.tokenSecret.key}, by ${c.createdBy} ${relativeTime(c.updatedAt, ctx.now())}`);
        if (c.lastReports.length === 0) ctx.out.line('  nothing reported yet');
        for (const r of c.lastReports) {
          const stage = r.stage ? STAGE[r.stage] ?? r.stage : 'not reported';
          const commit = r.sha ?? r.revision.commit ?? '';
          const what = r.description ? `: ${r.description}` : '';
          ctx.out.line(`  #${r.revision.number} ${commit.slice(0, 12)} ${stage}${what}${r.lastError ? ` (last error: ${r.lastError})` : ''}`);
        }
      }
      ctx.out.result({ app: name, namespace: app.namespace, environment: app.environment.name, feedback: app.feedback });
    }),
  );
}
