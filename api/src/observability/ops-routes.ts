import { bearerMatches, checkReadiness, ErrorCode, type ReadinessDeps } from '@kipper/core';
import { Router, type Request } from 'express';
import type { Registry } from 'prom-client';

/** Loopback as the socket sees it (never X-Forwarded-For: a caller could name any address there). */
export function fromLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}

/**
 * Who may read `/metrics`: with KIPPER_METRICS_TOKEN, callers presenting it as a bearer token;
 * without it, callers on this machine only (the api's port faces users; metrics name apps).
 */
export function metricsAllowed(req: Request, token: string | undefined): boolean {
  return token !== undefined ? bearerMatches(req.headers.authorization, token) : fromLoopback(req.socket.remoteAddress);
}

/**
 * `/healthz`: the process is alive and serving (nothing else is asked: a dead database must not
 * get healthy api pods restarted). `/readyz`: PostgreSQL, Redis and the cluster answer; 503 with
 * which one does not. `/metrics`: the Prometheus text format.
 */
export function opsRoutes(readiness: ReadinessDeps, registry: Registry, metricsToken: string | undefined): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const result = await checkReadiness(readiness);
    if (result.ready) {
      res.json({ status: 'ready', checks: result.checks });
      return;
    }
    const down = Object.entries(result.checks).filter(([, answer]) => answer !== 'ok').map(([name]) => name);
    res.status(503).json({
      status: 'unavailable',
      checks: result.checks,
      error: { code: ErrorCode.INTERNAL, message: `not reachable: ${down.join(', ')}` },
    });
  });
  router.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req, metricsToken)) {
      res.status(metricsToken !== undefined ? 401 : 403).json({
        error: {
          code: metricsToken !== undefined ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN,
          message: metricsToken !== undefined ? 'Send the metrics token: Authorization: Bearer $KIPPER_METRICS_TOKEN' : 'Metrics answer callers on this machine only; set KIPPER_METRICS_TOKEN to scrape from elsewhere',
        },
      });
      return;
    }
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
