import { EventEmitter } from 'node:events';

interface PodLog {
  lines: string[];
  finished: boolean;
  emitter: EventEmitter;
}

const key = (namespace: string, pod: string) => `${namespace}/${pod}`;

/** Log lines per pod, appended by controllers and streamed to `follow=true` readers. */
export class Logs {
  private readonly logs = new Map<string, PodLog>();

  append(namespace: string, pod: string, line: string): void {
    const log = this.entry(namespace, pod);
    log.lines.push(line);
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

  read(namespace: string, pod: string, tailLines?: number): { lines: string[]; finished: boolean } {
    const log = this.entry(namespace, pod);
    const lines = tailLines === undefined ? [...log.lines] : tailLines <= 0 ? [] : log.lines.slice(-tailLines);
    return { lines, finished: log.finished };
  }

  follow(namespace: string, pod: string, onLine: (line: string) => void, onFinish: () => void): () => void {
    const log = this.entry(namespace, pod);
    log.emitter.on('line', onLine);
    log.emitter.on('finish', onFinish);
    return () => {
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
