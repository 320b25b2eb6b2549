import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ErrorCode } from '@kipper/core';
import { headerValue, mediaType } from './webhook.request.js';
import { sendError } from './webhook.responses.js';

/** Express middleware around the webhook's body: its content type, its raw bytes, and what goes wrong reading them. */

export const MAX_BODY_BYTES = 1024 * 1024;

/** JSON; GitHub's form encoding only with X-GitHub-Event (the JSON is in its `payload` field). */
export function checkContentType(req: Request, res: Response, next: NextFunction): void {
  const type = mediaType(req.headers['content-type']);
  if (type === 'application/json') return next();
  if (type === 'application/x-www-form-urlencoded' && headerValue(req.headers, 'x-github-event')) return next();
  if (type === 'application/x-www-form-urlencoded') {
    return sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The body must be JSON: send -H "Content-Type: application/json" (curl -d alone sends a form)');
  }
  sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Type must be application/json, got ${type ? `"${type}"` : 'none'}: send -H "Content-Type: application/json"`);
}

/**
 * Reads the raw bytes (the GitHub signature is over exactly these); no decompression, so the
 * limit is on what was sent and nothing is signed that we did not receive.
 */
export function readRawBody(maxBodyBytes: number): RequestHandler {
  return express.raw({ type: () => true, limit: maxBodyBytes, inflate: false });
}

export function rawBodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Failures of the body reader: too large, compressed, cut short. */
export function bodyReadErrors(maxBodyBytes: number) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const type = (err as { type?: unknown } | null)?.type;
    if (res.headersSent) return next(err);
    switch (type) {
      case 'entity.too.large':
        return sendError(res, ErrorCode.PAYLOAD_TOO_LARGE, `The body is larger than ${Math.round(maxBodyBytes / 1024)} KiB: send only {"image": ..., "commit": ...}`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the body as uncompressed UTF-8 JSON (no Content-Encoding)');
      case 'request.aborted':
      case 'request.size.invalid':
        return sendError(res, ErrorCode.MALFORMED_JSON, 'The body ended before its Content-Length: send the whole JSON body');
      default:
        return next(err);
    }
  };
}
