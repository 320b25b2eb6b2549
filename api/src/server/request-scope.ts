import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { acceptableRequestId, runInRequestScope } from '@kipper/core';

/**
 * Every HTTP request gets an id (the caller's X-Request-Id when it is a plain token, else a new
 * UUID), returned as X-Request-Id so a person can quote it and an operator find its log lines;
 * the rest of the request runs in a RequestScope carrying that id and the caller's address.
 */
export function requestScope(req: Request, res: Response, next: NextFunction): void {
  const requestId = acceptableRequestId(req.headers['x-request-id']) ?? randomUUID();
  res.setHeader('X-Request-Id', requestId);
  runInRequestScope({ requestId, sourceAddress: req.ip ?? null }, next);
}
