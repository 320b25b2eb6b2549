import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/**
 * Headers of every console response: scripts, styles and connections from this origin only
 * (GraphQL over HTTP and WebSocket), no framing, no referrer, no MIME sniffing.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || ['/graphql', '/healthz', '/readyz', '/metrics'].includes(path);
}

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  if (!isApiPath(req.path)) for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}

/** `console/dist` of the repository, from api/src/server or api/dist/server alike. */
export function defaultConsoleDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console', 'dist');
}

/**
 * Serves the console (a single-page app) when it has been built: its files, and index.html
 * for every other GET that is not an API path, so client-side routes load on refresh.
 */
export function mountConsole(app: Express, dir: string | null): boolean {
  const index = dir ? join(dir, 'index.html') : undefined;
  app.use(securityHeaders);
  if (!dir || !index || !existsSync(index)) {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Kipper API. GraphQL at /graphql; the console is not built (npm run build -w @kipper/console).\n');
    });
    return false;
  }
  app.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: '1h', setHeaders: noCacheForIndex }));
  app.get('/{*path}', (req, res, next) => {
    if (isApiPath(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}

function noCacheForIndex(res: express.Response, path: string): void {
  if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
}
