import { AppEventsSubscription, AppQuery, type AppPanel, type DeployEvent, type Revision, type WebhookSecret } from '@kipper/client';
import { request, subscribe } from './client';
import { connection } from './connection.svelte';
import { handleError, type UserError } from './errors';
import { movesForward, newerHealth } from './format';

export interface AppRef {
  namespace: string;
  name: string;
}

/**
 * One app of the detail panel: its data and deploy history, kept current by the
 * `appEvents` subscription (no polling). Tabs read it and refetch their own lists when
 * `eventCount` changes.
 */
export class AppStore {
  app = $state<AppPanel | null>(null);
  revisions = $state<Revision[]>([]);
  totalCount = $state(0);
  loading = $state(true);
  error = $state<UserError | null>(null);
  liveError = $state<UserError | null>(null);
  lastEvent = $state<DeployEvent | null>(null);
  /** Bumped on every deploy event, so tabs can refresh deliveries and builds. */
  eventCount = $state(0);
  /** What the cluster and people did to the app itself (drift, repairs, health, pins), newest first, as they arrive. */
  appEvents = $state<DeployEvent[]>([]);
  /** Set by an Unpin button outside the pin banner (a history row): the banner's dialog opens. */
  unpinRequested = $state(false);
  /** A webhook token issued outside the Webhook tab (the missing-Secret flag): the tab shows it once. */
  issuedSecret = $state<WebhookSecret | null>(null);

  readonly ref: AppRef;
  private reloadQueued = false;
  /** Number of the newest load(); answers of older ones are dropped. */
  private loadSeq = 0;
  /** Events received while a load() is in flight: applied again on top of its answer. */
  private pending: DeployEvent[] | null = null;

  constructor(ref: AppRef) {
    this.ref = ref;
  }

  current = $derived(this.revisions.find((revision) => revision.current) ?? this.app?.currentRevision ?? null);
  latest = $derived(this.revisions[0] ?? null);
  /** Queued, building or rolling out: what Cancel stops, oldest first. */
  inFlight = $derived(this.revisions.filter((r) => r.status === 'QUEUED' || r.status === 'BUILDING' || r.status === 'ROLLING_OUT').reverse());
  /** Deliveries waiting for the pin to go, newest first: Unpin deploys the first. */
  held = $derived(this.revisions.filter((r) => r.status === 'HELD'));

  /**
   * Reads the app and its history. Live events keep coming meanwhile, so the answer may be
   * older than what they said: an older load's answer is dropped, and the events that arrived
   * during the load are applied again on top (upsert never moves a revision backwards).
   */
  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.pending = [];
    try {
      const data = await request(AppQuery, { app: { namespace: this.ref.namespace, name: this.ref.name }, first: 30 });
      if (seq !== this.loadSeq) return;
      const missed = this.pending ?? [];
      this.pending = null;
      if (!data.app) {
        this.error = { code: 'APP_NOT_FOUND', message: `There is no app ${this.ref.name} in ${this.ref.namespace}.` };
        this.app = null;
      } else {
        this.app = data.app;
        this.revisions = data.app.history.nodes;
        this.totalCount = data.app.history.totalCount;
        this.error = null;
        for (const event of missed) this.merge(event);
      }
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.pending = null;
      this.error = handleError(error);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /** Loads, subscribes, and refetches after a reconnect. Returns the cleanup. */
  start(): () => void {
    void this.load();
    const unsubscribe = subscribe(
      AppEventsSubscription,
      { app: { namespace: this.ref.namespace, name: this.ref.name } },
      (data) => this.apply(data.appEvents),
      (error) => (this.liveError = error),
    );
    const off = connection.onReconnected(() => void this.load());
    return () => {
      unsubscribe();
      off();
    };
  }

  /**
   * Puts a revision from an event or a mutation into the history. A revision never goes back
   * along the state machine (from finished to in progress, from queued to held), and never
   * takes `current` from a newer revision: late or replayed events cannot undo what is known.
   */
  upsert(revision: Revision): void {
    const known = this.revisions.find((r) => r.number === revision.number);
    if (known && !movesForward(known.status, revision.status)) return;
    const newerCurrent = this.revisions.some((r) => r.current && r.number > revision.number);
    if (revision.current && newerCurrent) revision = { ...revision, current: false };
    const list = this.revisions.filter((r) => r.number !== revision.number);
    if (revision.current) for (const r of list) if (r.current) r.current = false;
    list.push(revision);
    list.sort((a, b) => b.number - a.number);
    this.revisions = list;
    if (!known) this.totalCount = Math.max(this.totalCount + 1, list.length);
  }

  apply(event: DeployEvent): void {
    this.lastEvent = event;
    this.eventCount++;
    this.pending?.push(event);
    if (APP_EVENTS.has(event.type)) this.appEvents = [event, ...this.appEvents].slice(0, 5);
    this.merge(event);
    if (needsReload(event.type)) this.reload();
  }

  private merge(event: DeployEvent): void {
    // Every event carries the app's health when it is known; a HEALTH event is only that.
    if (this.app && event.health) this.app.health = newerHealth(this.app.health, event.health);
    this.upsert(event.type === 'LIVE' ? { ...event.revision, current: true } : event.revision);
    const merged = this.revisions.find((r) => r.number === event.revision.number);
    if (merged?.current && this.app) this.app.currentRevision = merged;
  }

  private reload(): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    queueMicrotask(() => {
      this.reloadQueued = false;
      void this.load();
    });
  }
}

/** Events about the app rather than one revision's way to live, listed on the Deploys tab. */
const APP_EVENTS = new Set<DeployEvent['type']>(['DRIFT', 'REPAIRED', 'HEALTH', 'PINNED', 'UNPINNED', 'WEBHOOK_SECRET_MISSING']);

/**
 * Whether an event changes more than the revision it names: a finished rollout changes other
 * rows (superseded, current), a cancel brings a rollback revision, and pins, drift, repairs and
 * a missing webhook Secret are the app's own state. These read the app and history again.
 */
function needsReload(type: DeployEvent['type']): boolean {
  switch (type) {
    case 'QUEUED':
    case 'BUILDING':
    case 'ROLLING_OUT':
    case 'PROGRESS':
    case 'HELD':
    case 'AWAITING_APPROVAL':
    case 'HEALTH':
      return false;
    case 'LIVE':
    case 'FAILED':
    case 'SUPERSEDED':
    case 'CANCELLED':
    case 'PINNED':
    case 'UNPINNED':
    case 'DRIFT':
    case 'REPAIRED':
    case 'WEBHOOK_SECRET_MISSING':
    // A decision moves the revision on (queued, held, rejected) and may change the pin.
    case 'APPROVED':
    case 'REJECTED':
      return true;
  }
}
