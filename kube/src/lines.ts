import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/** A Writable that hands out complete lines (without \n or \r\n); a last unterminated line on end. */
export class LineSplitter extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.push(this.decoder.end());
      if (this.pending.length > 0) this.emitLine(this.pending);
      this.pending = '';
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private push(text: string): void {
    const parts = (this.pending + text).split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.emitLine(part);
  }

  private emitLine(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
