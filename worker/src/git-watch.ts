import { App, AppSource, RevisionTrigger, type Logger } from '@kipper/core';
import type { JobEnqueuer } from './ports.js';
import type { DataSource } from 'typeorm';
import { AdvisoryLock, LockClass } from './app-lock.js';
import { lsRemoteHead, type GitPolicy } from './git.js';
import { GIT_WATCH_ACTOR, type RevisionRequests } from './ports.js';

export type PollResult = 'busy' | 'skipped' | 'unchanged' | 'requested' | 'known' | 'error';

/** A stable per-app offset inside the interval, so that checks of many apps spread out. */
export function pollOffsetMs(appId: string, intervalMs: number): number {
  let hash = 0;
  for (const char of appId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % intervalMs;
}

/**
 * Git watch: apps with `watchGit` get an `app.poll-git` job once per KIPPER_GIT_POLL_SECONDS.
 * The job id names the app and the interval slot (`poll-git-{appId}-{slot}`), so that however
 * many schedulers run, however often, each app is checked once per slot; the slot boundaries
 * are shifted by a per-app offset (jitter). The check itself holds a per-app advisory lock,
 * so two checks of one app never run at once.
 */
export class GitWatch {
  constructor(
    private readonly db: DataSource,
    private readonly requests: RevisionRequests,
    private readonly log: Logger,
    private readonly git: GitPolicy,
  ) {}

  /** Adds the current slot's poll job of every watched app (a no-op for slots already added). */
  async schedule(queue: JobEnqueuer, intervalSeconds: number, now = Date.now()): Promise<number> {
    const intervalMs = intervalSeconds * 1000;
    const apps = (await this.db.query(
      `SELECT id FROM app WHERE watch_git AND source = $1 AND git_url IS NOT NULL AND git_branch IS NOT NULL`,
      [AppSource.GIT],
    )) as { id: string }[];
    for (const { id } of apps) {
      const slot = Math.floor((now - pollOffsetMs(id, intervalMs)) / intervalMs);
      await queue.enqueue({ name: 'app.poll-git', data: { appId: id } }, {
        jobId: `poll-git-${id}-${slot}`,
        // Kept for two intervals so that the id of the slot stays taken (deduplication).
        removeOnComplete: { age: Math.max(60, intervalSeconds * 2) },
        removeOnFail: { age: Math.max(60, intervalSeconds * 2) },
        attempts: 1,
      });
    }
    return apps.length;
  }

  /**
   * One check: the branch head from `git ls-remote`; a head different from the last seen one
   * that no build or revision of the app has yet is requested as a build (trigger `build`, by
   * `kipper:git-watch`). lastSeenCommit is written after the request, so a crash in between
   * makes the next check find the build and only record the commit.
   */
  async poll(appId: string): Promise<PollResult> {
    const lock = await AdvisoryLock.tryAcquire(this.db, LockClass.APP_POLL, appId);
    if (!lock) return 'busy';
    try {
      const app = await this.db.getRepository(App).findOneBy({ id: appId });
      if (!app || !app.watchGit || app.source !== AppSource.GIT || !app.gitUrl || !app.gitBranch) return 'skipped';
      let head: string | null;
      try {
        head = await lsRemoteHead(app.gitUrl, app.gitBranch, this.git);
      } catch (error) {
        this.log.warn(`${app.namespace}/${app.name}: git check failed`, error);
        return 'error';
      }
      if (!head || head === app.lastSeenCommit) return 'unchanged';

      const known = (await this.db.query(
        `SELECT 1 FROM build WHERE app_id = $1 AND commit = $2
         UNION ALL SELECT 1 FROM revision WHERE app_id = $1 AND commit = $2 LIMIT 1`,
        [app.id, head],
      )) as unknown[];
      let result: PollResult = 'known';
      if (known.length === 0) {
        this.log.info(`${app.namespace}/${app.name}: new commit ${head} on ${app.gitBranch}, requesting a build`);
        // requestBuild records the audit entry (actor kipper:git-watch, action build.request).
        await this.requests.requestBuild(app, { commit: head, trigger: RevisionTrigger.BUILD, triggeredBy: GIT_WATCH_ACTOR });
        result = 'requested';
      }
      await this.db.getRepository(App).update(app.id, { lastSeenCommit: head });
      return result;
    } finally {
      await lock.release();
    }
  }
}
