import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, type KipperConfig, type Logger } from '@kipper/core';
import type { NextFunction, Request, Response } from 'express';

/**
 * The HTTP server with bounds on slow and greedy clients: headers and whole requests must
 * arrive in time (checked every second, not Node's default 30 s), and one address may hold
 * only so many connections (WebSockets included) at once.
 */
export function createBoundedServer(listener: RequestListener, limits: KipperConfig['http']): Server {
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1_000 },
    listener,
  );
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return server;
}

const REFUSALS: Record<number, { code: ErrorCode; message: string }> = {
  400: { code: ErrorCode.VALIDATION_FAILED, message: 'The request could not be read: check its URL (percent-encoding) and body' },
  413: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is too large' },
  415: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: 'The request body has an unsupported content type or encoding' },
};

/** After every route: an unknown path is a JSON 404 too (the console, when served, answers every GET before this). */
export function routeNotFound(req: Request, res: Response): void {
  res.status(404).json({ error: { code: ErrorCode.ROUTE_NOT_FOUND, message: `Nothing is served at ${req.method} ${req.path}: the API is /graphql and /api/v1/webhook/{namespace}/{app}` } });
}

/**
 * The last error handler: whatever fails before or outside a route's own handling (a URL that
 * does not decode, a body that does not parse) is answered as JSON with a stable code; no stack
 * trace and no server path reach the client, whatever NODE_ENV says.
 */
export function jsonErrors(log: Logger) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: unknown }).status;
    const refusal = typeof status === 'number' ? REFUSALS[status] : undefined;
    if (refusal) {
      res.status(status as number).json({ error: refusal });
      return;
    }
    log.error(`HTTP request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    res.status(500).json({ error: { code: ErrorCode.INTERNAL, message: 'Internal error: the request could not be completed (the server log has the details)' } });
  };
}
