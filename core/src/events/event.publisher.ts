import { createPubSub as createYogaPubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis, whenReady } from '../jobs/redis.js';
import type { App } from '../apps/app.entity.js';
import type { Revision } from '../revisions/revision.entity.js';
import { topics, type BuildLogPayload, type DeployEventPayload, type DeployEventType } from './deploy-event.js';

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

/** What the api and the worker say when a revision moves or a build prints a line. */
export class EventPublisher {
  constructor(
    private readonly pubsub: KipperPubSub,
    private readonly options: { onError?: (err: unknown) => void } = {},
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
   * Publishes on the app's and the project's topics. Live events are a convenience: a failure
   * is reported to `onError` and never fails the caller (PostgreSQL holds the truth).
   */
  async revisionChanged(revision: Revision, app: App, type: DeployEventType, message?: string | null): Promise<void> {
    const payload = EventPublisher.payload(revision, app, type, message);
    await this.safely(Promise.all([this.pubsub.publish(topics.app(app.id), payload), this.pubsub.publish(topics.project(app.projectId), payload)]));
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
