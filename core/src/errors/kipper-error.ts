import { ErrorCode } from './error-code.js';

/** A failure with a stable code and a message a person can act on. Transport-neutral. */
export class KipperError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'KipperError';
  }
}
