import { CreateNotificationChannelMutation, type NotificationEventType } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { withOutput } from '../../options.js';
import { channelJson, eventName, eventsText, parseEvents, scopeText } from './notification-json.js';

/** `kip notifications add --project P [--app A] --url URL [--slack] [--events a,b]`. */
export function notificationsAddCommand(notifications: Command, state: RunState): Command {
  return withOutput(
    notifications
      .command('add')
      .description('send notifications of a project (or one app) to a webhook or Slack')
      .requiredOption('-p, --project <project>', 'project whose events are sent')
      .option('--app <app>', 'only this app of the project')
      .option('-e, --environment <environment>', 'environment of --app, when the project has it in several')
      .requiredOption('--url <url>', 'http(s) URL of the receiver')
      .option('--slack', 'a Slack-compatible incoming webhook: a readable message instead of signed JSON')
      .option('--events <types>', 'comma-separated event types (default all): revision.queued, revision.live, revision.failed, revision.rolled_back, revision.cancelled, revision.held, app.degraded, app.drift_repaired', parseEvents),
  ).action(
    action(state, async (ctx, opts: { project: string; app?: string; environment?: string; url: string; slack?: boolean; events?: NotificationEventType[] }) => {
      const client = await ctx.client();
      const created = (
        await client.request(CreateNotificationChannelMutation, {
          input: {
            project: opts.project,
            app: opts.app ?? null,
            environment: opts.environment ?? null,
            kind: opts.slack ? 'SLACK' : 'WEBHOOK',
            url: opts.url,
            events: opts.events ?? null,
          },
        })
      ).createNotificationChannel;
      const channel = created.channel;
      ctx.out.success(`Notifications of ${scopeText(channel)} go to ${channel.url}`);
      ctx.out.line(`Channel: ${channel.id}`);
      ctx.out.line(`Kind:    ${channel.kind === 'SLACK' ? 'slack' : 'webhook (signed JSON)'}`);
      ctx.out.line(`Events:  ${eventsText(channel.events) === 'all' ? `all (${channel.events.map(eventName).join(', ')})` : eventsText(channel.events)}`);
      if (created.signingSecret) {
        ctx.out.line(`Signing secret: ${created.signingSecret}`);
        ctx.out.line();
        ctx.out.line('Check X-Kipper-Signature-256 with this secret (see docs/webhooks-and-ci-cd.md, Notifications); it is not shown again.');
      }
      ctx.out.result({ ...channelJson(channel), signingSecret: created.signingSecret });
    }),
  );
}
