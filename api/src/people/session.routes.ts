import { ErrorCode, type KipperServices, type Logger, type User } from '@kipper/core';
import express, { type Request, type Response, Router } from 'express';
import { clearedSessionCookie, cookieValue, CSRF_HEADER, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { SignInLimiter } from './sign-in-limiter.js';

const WRONG = 'Wrong name or password.';

function userView(user: User) {
  return { name: user.name, displayName: user.displayName, admin: user.instanceAdmin };
}

function fail(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * Console sign-in (POST), who is signed in (GET), sign-out (DELETE) at /api/v1/session. The
 * session lives in an HttpOnly, SameSite=Lax cookie (Secure when the public URL is https); its
 * CSRF token is returned in the body and must come back as X-Kipper-CSRF.
 */
export function createSessionRouter(services: KipperServices, options: { secure: () => boolean; log: Logger; limiter?: SignInLimiter }): Router {
  const limiter = options.limiter ?? new SignInLimiter();
  const router = Router();

  // JSON only: a cross-site form cannot send it without a CORS preflight Kipper never answers.
  router.post('/', express.json({ limit: 16 * 1024 }), async (req: Request, res: Response) => {
    if (!req.is('application/json')) return fail(res, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send JSON: {"name": "…", "password": "…"}');
    const body = (req.body ?? {}) as { name?: unknown; password?: unknown };
    const name = typeof body.name === 'string' ? body.name.trim().toLowerCase() : '';
    const allowed = limiter.attempt(req.ip ?? 'unknown', name);
    if (!allowed.ok) {
      res.setHeader('Retry-After', String(allowed.retryAfterSeconds));
      return fail(res, 429, ErrorCode.RATE_LIMITED, `Too many sign-in attempts: try again in ${allowed.retryAfterSeconds} s`);
    }
    const user = await services.users.verify(name, body.password);
    if (!user) {
      limiter.failed(name);
      return fail(res, 401, ErrorCode.UNAUTHENTICATED, WRONG);
    }
    const started = await services.sessions.start(user.id);
    await services.audit.record(user.name, 'session.start', user.name, { session: started.id });
    res.setHeader('Set-Cookie', sessionCookie(started.cookieValue, { secure: options.secure(), expires: null }));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ user: userView(user), csrfToken: started.csrfToken });
  });

  router.get('/', async (req: Request, res: Response) => {
    const live = await services.sessions.lookup(cookieValue(req.headers.cookie, SESSION_COOKIE));
    if (!live) return fail(res, 401, ErrorCode.UNAUTHENTICATED, 'Not signed in');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ user: userView(live.user), csrfToken: live.csrfToken });
  });

  router.delete('/', async (req: Request, res: Response) => {
    const value = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const live = await services.sessions.lookup(value);
    if (!live || !value) return fail(res, 401, ErrorCode.UNAUTHENTICATED, 'Not signed in');
    if (!services.sessions.csrfMatches(live.session, req.headers[CSRF_HEADER])) {
      return fail(res, 403, ErrorCode.FORBIDDEN, `Missing or wrong CSRF token: send the session's csrfToken in the ${CSRF_HEADER} header`);
    }
    await services.sessions.end(value);
    await services.audit.record(live.user.name, 'session.end', live.user.name, { session: live.session.id });
    res.setHeader('Set-Cookie', clearedSessionCookie({ secure: options.secure() }));
    res.status(204).end();
  });

  return router;
}
