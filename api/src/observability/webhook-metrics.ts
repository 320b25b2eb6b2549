import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics.js';

/** The delivery's source as the webhook reads it (webhook.request.ts), from its headers alone. */
function sourceOf(req: Request): string {
  if (req.headers['x-github-event']) return 'github';
  if (req.headers['x-gitlab-event']) return 'gitlab';
  return 'kipper';
}

/** What came of it: the outcome the route recorded (res.locals.webhookOutcome), else what the gate answered. */
function outcomeOf(res: Response): string {
  const recorded: unknown = res.locals.webhookOutcome;
  if (typeof recorded === 'string') return recorded;
  if (res.statusCode === 401) return 'unauthenticated';
  if (res.statusCode === 429) return 'rate_limited';
  return 'refused';
}

/** Counts and times every webhook POST once its answer is sent; mounted in front of the webhook router. */
export function webhookMetrics(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const source = sourceOf(req);
      metrics.webhookDeliveries.inc({ source, outcome: outcomeOf(res) });
      metrics.webhookDuration.observe({ source }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
