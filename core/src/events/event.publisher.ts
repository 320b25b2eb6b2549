import { createPubSub as createYogaPubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis, whenReady } from '../jobs/redis.js';
import type { App } from '../apps/app.entity.js';
import type { Revision } from '../revisions/revision.entity.js';
import type { JobItem } from '../jobs/job.catalogue.js';
import { DeployEventType, topics, type BuildLogPayload, type DeployEventPayload } from './deploy-event.js';

/**
 * Redis pub/sub for live events. Every channel is `<prefix>:<topic>` (the queue prefix), so
 * parallel test runs and several Kipper installations on one Redis do not see each other.
 */
export interface KipperPubSub {
  readonly prefix: string;
  /** Resolves once Redis took the message; rejects when Redis does not answer. */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Messages of one topic until the iterator is returned (client gone). */
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
  /** The Redis channel of a topic (tests wait for a subscriber with PUBSUB NUMSUB). */
  channel(topic: string): string;
  close(): Promise<void>;
}

export function createPubSub(redisUrl: string, prefix: string): KipperPubSub {
  const publisher = createRedis(redisUrl, 'request', `${prefix}:publish`);
  const subscriber = createRedis(redisUrl, 'blocking', `${prefix}:subscribe`);
  // The event target calls subscribe/unsubscribe without awaiting them; a failure there
  // (Redis gone while a client subscribes) must not become an unhandled rejection.
  const subscribeClient = {
    on: (event: string, listener: (...args: unknown[]) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch(() => undefined),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(() => undefined),
  } as unknown as Redis;
  const eventTarget = createRedisEventTarget({ publishClient: publisher, subscribeClient });
  const yoga = createYogaPubSub<Record<string, [unknown]>>({ eventTarget });
  const channel = (topic: string) => `${prefix}:${topic}`;
  let closed = false;
  return {
    prefix,
    channel,
    async publish(topic, payload) {
      // Live events are best effort: do not hold a request up for a Redis that is down.
      await whenReady(publisher, 500);
      await publisher.publish(channel(topic), JSON.stringify(payload));
    },
    subscribe<T>(topic: string) {
      return yoga.subscribe(channel(topic)) as unknown as AsyncIterableIterator<T>;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}

/**
 * Revision events that are also reported to the outside (an `app.event` job each): all but
 * `progress`, which is a live view of a rollout (many per rollout, throttled) and says nothing
 * that `rolling_out` and the final status do not.
 */
export function isReportedEvent(type: DeployEventType): boolean {
  return type !== DeployEventType.PROGRESS;
}

export interface EventPublisherOptions {
  /** Told of every event or job that could not be sent; the caller goes on. */
  onError?: (err: unknown) => void;
  /** Where `app.event` jobs go (core's JobQueue); without it nothing is reported (tests). */
  jobs?: { enqueue(item: JobItem): Promise<unknown> };
}

/** What the api and the worker say when a revision moves or a build prints a line. */
export class EventPublisher {
  constructor(
    private readonly pubsub: KipperPubSub,
    private readonly options: EventPublisherOptions = {},
  ) {}

  static payload(revision: Revision, app: App, type: DeployEventType, message?: string | null): DeployEventPayload {
    return {
      type,
      at: new Date().toISOString(),
      projectId: app.projectId,
      appId: app.id,
      namespace: app.namespace,
      app: app.name,
      revisionId: revision.id,
      revisionNumber: revision.number,
      status: revision.status,
      progress: revision.progress ?? null,
      message: message ?? null,
      health: app.health ?? null,
    };
  }

  /**
   * Publishes on the app's and the project's topics and, for reported events, enqueues one
   * `app.event` job (reports to GitHub, GitLab, notifications: see the worker's reports/). All
   * are sent at once (one Redis round trip with auto-pipelining, no database access); they are
   * a convenience after the commit: a failure is reported to `onError` and never fails the
   * caller (PostgreSQL holds the truth).
   */
  async revisionChanged(revision: Revision, app: App, type: DeployEventType, message?: string | null): Promise<void> {
    const payload = EventPublisher.payload(revision, app, type, message);
    const jobs = this.options.jobs;
    await Promise.all([
      this.safely(Promise.all([this.pubsub.publish(topics.app(app.id), payload), this.pubsub.publish(topics.project(app.projectId), payload)])),
      jobs && isReportedEvent(type)
        ? this.safely(jobs.enqueue({ name: 'app.event', data: { appId: app.id, revisionId: revision.id, type, message: payload.message, at: payload.at } }))
        : undefined,
    ]);
  }

  async buildLog(buildId: string, line: string): Promise<void> {
    const payload: BuildLogPayload = { buildId, line };
    await this.safely(this.pubsub.publish(topics.buildLog(buildId), payload));
  }

  async close(): Promise<void> {
    await this.pubsub.close();
  }

  private async safely(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
