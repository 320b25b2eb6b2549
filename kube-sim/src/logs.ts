import { EventEmitter } from 'node:events';

/** One line as the kubelet keeps it: the text and when it was written (for timestamps=true, sinceSeconds). */
export interface LogLine {
  at: Date;
  text: string;
}

interface PodLog {
  lines: LogLine[];
  finished: boolean;
  emitter: EventEmitter;
}

/** Lines kept per pod; older ones go, as the kubelet rotates container logs (app pods write forever). */
export const MAX_LINES_PER_POD = 2000;

const key = (namespace: string, pod: string) => `${namespace}/${pod}`;

/** Log lines per pod, appended by controllers and streamed to `follow=true` readers. */
export class Logs {
  private readonly logs = new Map<string, PodLog>();
  private followers = 0;

  /** Open follow=true readers: a test sees a client that left without closing its stream. */
  get openFollows(): number {
    return this.followers;
  }

  append(namespace: string, pod: string, text: string): void {
    const log = this.entry(namespace, pod);
    const line = { at: new Date(), text };
    log.lines.push(line);
    if (log.lines.length > MAX_LINES_PER_POD) log.lines.splice(0, log.lines.length - MAX_LINES_PER_POD);
    log.emitter.emit('line', line);
  }

  /** The container exited: followers get their stream closed like kubectl logs -f sees it. */
  finish(namespace: string, pod: string): void {
    const log = this.entry(namespace, pod);
    log.finished = true;
    log.emitter.emit('finish');
  }

  forget(namespace: string, pod: string): void {
    const log = this.logs.get(key(namespace, pod));
    if (!log) return;
    log.finished = true;
    log.emitter.emit('finish');
    this.logs.delete(key(namespace, pod));
  }

  read(namespace: string, pod: string, options: { tailLines?: number; since?: Date } = {}): { lines: LogLine[]; finished: boolean } {
    const log = this.entry(namespace, pod);
    const { tailLines, since } = options;
    const recent = since ? log.lines.filter((line) => line.at >= since) : log.lines;
    const lines = tailLines === undefined ? [...recent] : tailLines <= 0 ? [] : recent.slice(-tailLines);
    return { lines, finished: log.finished };
  }

  follow(namespace: string, pod: string, onLine: (line: LogLine) => void, onFinish: () => void): () => void {
    const log = this.entry(namespace, pod);
    log.emitter.on('line', onLine);
    log.emitter.on('finish', onFinish);
    this.followers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.followers--;
      log.emitter.off('line', onLine);
      log.emitter.off('finish', onFinish);
    };
  }

  private entry(namespace: string, pod: string): PodLog {
    let log = this.logs.get(key(namespace, pod));
    if (!log) {
      log = { lines: [], finished: false, emitter: new EventEmitter() };
      log.emitter.setMaxListeners(0);
      this.logs.set(key(namespace, pod), log);
    }
    return log;
  }
}
