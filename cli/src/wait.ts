import {
  AppEventsSubscription,
  KipperClientError,
  RevisionQuery,
  type KipperClient,
  type Revision,
  type Subscription,
} from '@kipper/client';
import type { Context } from './action.js';
import { CliError, ExitCode } from './errors.js';
import { isFinished, revisionProgress, waitsForPerson } from './format.js';
import type { AppRef } from './options.js';

export interface WaitOptions {
  timeoutMs: number;
  /** How often the revision is read in case an event was missed (events are the fast path). */
  pollMs?: number;
  /** How long to wait for the live-update connection before relying on polling alone. */
  connectTimeoutMs?: number;
}

/**
 * Follows revisions of one app. Start it BEFORE sending the mutation so no event is lost;
 * events that arrive before `follow(n)` is called are kept. Polling the revision covers
 * the moment between subscribing and the server's registration, and a failed WebSocket.
 */
export class RevisionWatcher {
  private readonly buffered: Revision[] = [];
  private listener: ((revision: Revision) => void) | undefined;
  private subscription: Subscription | undefined;
  private live = false;

  private constructor(
    private readonly ctx: Pick<Context, 'out' | 'explain'>,
    private readonly client: KipperClient,
    private readonly ref: AppRef,
    private readonly options: WaitOptions,
  ) {}

  static async start(
    ctx: Pick<Context, 'out' | 'explain'>,
    client: KipperClient,
    ref: AppRef,
    options: WaitOptions,
  ): Promise<RevisionWatcher> {
    const watcher = new RevisionWatcher(ctx, client, ref, options);
    await watcher.subscribe();
    return watcher;
  }

  private async subscribe(): Promise<void> {
    const subscription = this.client.subscribe(
      AppEventsSubscription,
      { app: this.ref },
      {
        next: (data) => {
          const revision = data.appEvents.revision;
          if (this.listener) this.listener(revision);
          else this.buffered.push(revision);
        },
        error: (error) => {
          if (this.live) {
            this.ctx.out.warn(`Live updates stopped (${this.ctx.explain(error).message}); checking every few seconds instead.`);
          }
          this.live = false;
        },
      },
    );
    this.subscription = subscription;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        subscription.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection within ${connectTimeoutMs / 1000}s`)), connectTimeoutMs);
        }),
      ]);
      this.live = true;
    } catch (error) {
      if (error instanceof KipperClientError && error.code === 'UNAUTHENTICATED') {
        subscription.unsubscribe();
        throw error;
      }
      const reason = error instanceof KipperClientError ? this.ctx.explain(error).message : (error as Error).message;
      this.ctx.out.warn(`Live updates are not available (${reason}); checking every few seconds instead.`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.listener = undefined;
  }

  /**
   * Prints one line per change of revision `initial.number` (`Revision #4 rolling out: 3/3
   * updated, 2 ready, 1 old pod serving`) and resolves with the revision once it is live, failed,
   * superseded or cancelled, or held (the app is pinned: it waits for a person, not for Kipper).
   */
  async follow(initial: Revision): Promise<Revision> {
    const number = initial.number;
    let lastLine = '';
    let latest = initial;
    const show = (revision: Revision) => {
      latest = revision;
      const line = revisionProgress(revision);
      if (line !== lastLine && revision.status !== 'LIVE' && revision.status !== 'FAILED') this.ctx.out.note(line);
      lastLine = line;
    };

    try {
      return await new Promise<Revision>((resolve, reject) => {
        let finished = false;
        const timers: NodeJS.Timeout[] = [];
        const finish = (revision: Revision) => {
          if (finished) return;
          finished = true;
          for (const t of timers) clearTimeout(t);
          resolve(revision);
        };
        const onRevision = (revision: Revision) => {
          if (finished || revision.number !== number) return;
          show(revision);
          if (isFinished(revision.status) || waitsForPerson(revision.status)) finish(revision);
        };

        onRevision(initial);
        for (const revision of this.buffered.splice(0)) onRevision(revision);
        this.listener = onRevision;

        timers.push(
          setTimeout(() => {
            if (finished) return;
            finished = true;
            for (const t of timers) clearTimeout(t);
            reject(
              new CliError(
                `Gave up waiting after ${Math.round(this.options.timeoutMs / 1000)}s: ${revisionProgress(latest)}. ` +
                  `The rollout goes on; see \`kip app status ${this.ref.name}\`.`,
                ExitCode.Failed,
                'WAIT_TIMEOUT',
              ),
            );
          }, this.options.timeoutMs),
        );

        const poll = async () => {
          if (finished) return;
          try {
            const data = await this.client.request(RevisionQuery, { app: this.ref, number });
            const revision = data.app?.revision;
            if (revision) onRevision(revision);
          } catch (error) {
            if (error instanceof KipperClientError && error.code === 'UNAUTHENTICATED') {
              finished = true;
              for (const t of timers) clearTimeout(t);
              reject(error);
              return;
            }
            // a transient failure: the next poll or an event will tell
          }
          if (!finished) {
            const interval = this.options.pollMs ?? (this.live ? 5_000 : 2_000);
            timers.push(setTimeout(() => void poll(), interval));
          }
        };
        // One check right away: the revision may have finished before the subscription was registered.
        void poll();
      });
    } finally {
      this.stop();
    }
  }
}

/** Throws the CliError that makes `--wait` exit 1 when the followed revision did not go live. */
export function assertLive(revision: Revision): void {
  if (revision.status === 'LIVE') return;
  throw new CliError(revisionProgress(revision), ExitCode.Failed, `REVISION_${revision.status}`);
}

export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;
