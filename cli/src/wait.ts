import type { KipperClient, Subscription } from './client.js';
import type { AppRef } from './options.js';
import { CliError, ExitCode } from './errors.js';
import { isFinished, revisionProgress } from './format.js';
import { AppEventsSubscription, RevisionQuery, type RevisionData } from './graphql/operations.js';
import type { Output } from './output.js';

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
  private readonly buffered: RevisionData[] = [];
  private listener: ((revision: RevisionData) => void) | undefined;
  private subscription: Subscription | undefined;
  private live = false;

  private constructor(
    private readonly client: KipperClient,
    private readonly ref: AppRef,
    private readonly out: Output,
    private readonly options: WaitOptions,
  ) {}

  static async start(
    client: KipperClient,
    ref: AppRef,
    out: Output,
    options: WaitOptions,
  ): Promise<RevisionWatcher> {
    const watcher = new RevisionWatcher(client, ref, out, options);
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
          if (this.live) this.out.warn(`Live updates stopped (${error.message}); checking every few seconds instead.`);
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
      if (error instanceof CliError && error.code === 'UNAUTHENTICATED') {
        subscription.unsubscribe();
        throw error;
      }
      this.out.warn(
        `Live updates are not available (${(error as Error).message}); checking every few seconds instead.`,
      );
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
   * Prints one line per change of revision `initial.number` (`Revision #4 rolling out: 2/3 ready`)
   * and resolves with the revision once it is live, failed or superseded.
   */
  async follow(initial: RevisionData): Promise<RevisionData> {
    const number = initial.number;
    let lastLine = '';
    let latest = initial;
    const show = (revision: RevisionData) => {
      latest = revision;
      const line = revisionProgress(revision);
      if (line !== lastLine && revision.status !== 'LIVE' && revision.status !== 'FAILED') this.out.note(line);
      lastLine = line;
    };

    try {
      return await new Promise<RevisionData>((resolve, reject) => {
        let finished = false;
        const timers: NodeJS.Timeout[] = [];
        const finish = (revision: RevisionData) => {
          if (finished) return;
          finished = true;
          for (const t of timers) clearTimeout(t);
          resolve(revision);
        };
        const onRevision = (revision: RevisionData) => {
          if (finished || revision.number !== number) return;
          show(revision);
          if (isFinished(revision.status)) finish(revision);
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
            if (error instanceof CliError && error.code === 'UNAUTHENTICATED') {
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
export function assertLive(revision: RevisionData): void {
  if (revision.status === 'LIVE') return;
  throw new CliError(revisionProgress(revision), ExitCode.Failed, `REVISION_${revision.status}`);
}

export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;
