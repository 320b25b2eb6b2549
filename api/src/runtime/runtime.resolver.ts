import { Arg, Ctx, FieldResolver, Int, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { ErrorCode, KipperError, ProjectRole, type App, type AppPod, type AppRef, type ClusterEvent, type PodLogLine } from '@kipper/core';
import { appFor } from '../access/access.guard.js';
import { AppRefInput, AppType } from '../apps/app.types.js';
import type { KipperContext } from '../graphql/context.js';
import { logStream } from './log-stream.js';
import { ClusterEventType, PodLogLineType, PodType } from './runtime.types.js';

type Data = SubscribeResolverData<unknown, Record<string, unknown>, KipperContext>;

/**
 * What runs of an app, read from the cluster when asked: pods and events on the app (anyone who
 * may read the app), logs as a subscription (deployers: logs can hold secrets).
 */
@Resolver(() => AppType)
export class RuntimeResolver {
  @FieldResolver(() => [PodType], { description: 'The pods running the app now, oldest first (never its build pods). Read from the cluster.' })
  pods(@Root() app: App, @Ctx() ctx: KipperContext): Promise<AppPod[]> {
    return ctx.services.runtime.pods(app);
  }

  @FieldResolver(() => [ClusterEventType], { description: 'Kubernetes Events about the app\'s Deployment, ReplicaSets and pods, newest first (1 to 100).' })
  events(@Root() app: App, @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: KipperContext): Promise<ClusterEvent[]> {
    return ctx.services.runtime.events(app, first);
  }
}

@Resolver(() => PodLogLineType)
export class PodLogResolver {
  @Subscription(() => PodLogLineType, {
    description:
      'Log lines of the app\'s pods (or of `pod`): the last `tail` lines of each, then, with `follow`, new lines as they are written, also of pods that start later. Ends when the client leaves (the cluster streams close) or, without follow, after the lines there are. Deployers only: logs can hold secrets.',
    subscribe: async ({ args, context }: Data) => {
      const app = await appFor(context, args.app as AppRef, ProjectRole.DEPLOYER, 'Reading the logs');
      const pod = (args.pod as string | null | undefined) ?? null;
      const tail = args.tail as number;
      if (pod !== null && !(await context.services.runtime.pods(app)).some((p) => p.name === pod))
        throw new KipperError(ErrorCode.POD_NOT_FOUND, `${app.name} has no pod ${pod} in ${app.namespace}; \`kip app pods ${app.name}\` lists them`);
      const follow = args.follow !== false;
      context.services.runtime.checkTail(tail);
      return logStream((signal, onLine) => context.services.runtime.followLogs(app, { pod, follow, tail, signal, onLine }));
    },
  })
  podLogs(
    @Arg('app', () => AppRefInput) _app: AppRefInput,
    @Arg('pod', () => String, { nullable: true, description: 'One pod of the app; default all of them, each line naming its pod.' }) _pod: string | null,
    @Arg('follow', () => Boolean, { defaultValue: true }) _follow: boolean,
    @Arg('tail', () => Int, { defaultValue: 100, description: 'Lines from the end of each pod\'s log to start with (0 to 5000).' }) _tail: number,
    @Root() line: PodLogLine,
  ): PodLogLineType {
    return line;
  }
}
