import { AppStatusQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { healthLine, pinLine, promotedFromCell, relativeTime, revisionJson, revisionProgress, shortCommit, word } from '../../format.js';
import { appRef, refFlags, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { appJson } from './app-json.js';

/**
 * `kip app status APP`: what runs and how healthy it is in the cluster, what is on its way (with
 * honest rollout progress), held revisions and the pin, drift, the webhook.
 */
export function appStatusCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app.command('status').description('current revision, health, pin, rollouts').argument('<app>', 'app name'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(AppStatusQuery, { app: ref })).app;
      if (!a) throw appNotFound(name, opts);
      const now = ctx.now();
      const current = a.currentRevision;
      const revisions = a.revisions.nodes;
      const newer = revisions.filter((r) => !current || r.number > current.number);
      const inProgress = newer.filter((r) => r.status === 'QUEUED' || r.status === 'BUILDING' || r.status === 'ROLLING_OUT');
      const held = newer.filter((r) => r.status === 'HELD');
      const newest = revisions[0];
      const lastFailure = newest && newest.status === 'FAILED' ? newest : undefined;

      const rows: [string, string][] = [
        ['App', a.name],
        ['Namespace', `${a.namespace} (project ${a.project.name}, environment ${a.environment.name})`],
        // What runs now (the image of the current revision), not the image the app was created with.
        ['Source', a.source === 'GIT' ? `git ${a.gitUrl ?? '-'} (${a.gitBranch ?? 'main'})` : `image ${current?.image ?? newest?.image ?? a.image ?? '-'}`],
        ['Replicas', `${a.replicas}, port ${a.port}`],
      ];
      if (a.host) rows.push(['Host', a.host]);
      rows.push([
        'Current',
        current
          ? `#${current.number} ${current.imageTag ?? current.image ?? '-'} (${shortCommit(current.commit)}, ${word(current.trigger)}), ` +
            `${current.status === 'LIVE' ? 'live' : word(current.status)} since ${relativeTime(current.finishedAt ?? current.createdAt, now)}`
          : 'nothing deployed yet',
      ]);
      if (current?.digest) rows.push(['Digest', `${current.digest}${current.promotedFrom ? ` (promoted from ${promotedFromCell(current)})` : ''}`]);
      rows.push(['Health', healthLine(a.health)]);
      const pin = pinLine(a.name, a.pin);
      if (pin) rows.push(['Pin', pin]);
      for (const r of inProgress) rows.push(['In progress', `${revisionProgress(r)} (${r.image ?? '-'}, ${word(r.trigger)})`]);
      for (const r of held) rows.push(['Held', `#${r.number} ${r.image ?? r.commit ?? '-'} (${word(r.trigger)}, ${relativeTime(r.createdAt, now)})`]);
      if (lastFailure) rows.push(['Last rollout', `${revisionProgress(lastFailure)} (${relativeTime(lastFailure.createdAt, now)})`]);
      if (a.drift) {
        const policy = a.driftPolicy === 'REPORT' ? `reported, not repaired: kip app configure ${a.name} --drift-policy repair puts it back` : 'being repaired';
        rows.push(['Drift', `${a.drift.message.replace(/^drift: /, '')} (${relativeTime(a.drift.detectedAt, now)}; ${policy})`]);
      }
      rows.push(['Webhook', a.webhook.enabled ? `enabled (${a.webhook.url})` : `not enabled (kip app webhook enable ${a.name}${refFlags(ref)})`]);
      if (a.webhookSecretMissing) rows.push(['Warning', a.webhookSecretMissing]);
      const width = Math.max(...rows.map(([k]) => k.length)) + 1;
      for (const [k, v] of rows) ctx.out.line(`${`${k}:`.padEnd(width)} ${v}`);

      ctx.out.result({
        app: { ...appJson(a), port: a.port, replicas: a.replicas, host: a.host },
        live: current?.status === 'LIVE',
        currentRevision: current ? revisionJson(current) : null,
        inProgress: inProgress.map(revisionJson),
        held: held.map(revisionJson),
        lastFailure: lastFailure ? revisionJson(lastFailure) : null,
        webhook: a.webhook,
      });
    }),
  );
}
