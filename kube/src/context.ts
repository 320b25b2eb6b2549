import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  NetworkingV1Api,
  Watch,
} from '@kubernetes/client-node';
import { ClusterError, toClusterError } from './errors.js';
import { withRetry, type RetryOptions } from './retry.js';
import { describeServer } from './target.js';

/** What every part of the module shares: the API clients, the retry policy and the close signal. */
export class ClusterContext {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly networking: NetworkingV1Api;
  readonly watch: Watch;
  readonly log: Log;
  readonly server: string;
  private readonly closer = new AbortController();

  constructor(
    readonly kc: KubeConfig,
    readonly retry: RetryOptions,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.networking = kc.makeApiClient(NetworkingV1Api);
    this.watch = new Watch(kc);
    this.log = new Log(kc);
    this.server = describeServer(kc);
  }

  /** Aborted by close(): open watches and log streams stop. */
  get closeSignal(): AbortSignal {
    return this.closer.signal;
  }

  close(): void {
    this.closer.abort(new ClusterError('CLUSTER_UNREACHABLE', `connection to ${this.server} closed`));
  }

  assertOpen(): void {
    if (this.closer.signal.aborted) throw this.closer.signal.reason as ClusterError;
  }

  /**
   * One API call with the retry policy; failures become ClusterError. `action` names the call
   * in messages; `secrets` are scrubbed from them.
   */
  async call<T>(action: string, fn: () => Promise<T>, secrets: readonly string[] = []): Promise<T> {
    this.assertOpen();
    try {
      return await withRetry(fn, this.retry, this.closeSignal);
    } catch (err) {
      if (this.closeSignal.aborted) throw this.closeSignal.reason as ClusterError;
      const error = toClusterError(err, action, secrets);
      if (error.code === 'CLUSTER_UNREACHABLE' && error.status === undefined) {
        throw new ClusterError('CLUSTER_UNREACHABLE', `${error.message} at ${this.server}`);
      }
      throw error;
    }
  }

  /** Like call(), but a 404 answer gives null. */
  async callOrNull<T>(action: string, fn: () => Promise<T>, secrets: readonly string[] = []): Promise<T | null> {
    try {
      return await this.call(action, fn, secrets);
    } catch (err) {
      if (err instanceof ClusterError && err.code === 'CLUSTER_NOT_FOUND') return null;
      throw err;
    }
  }
}
