import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * Where the browser opens the console: a small HTTP server in front of the api that passes
 * everything through to it (HTTP and WebSocket), like the Vite dev proxy, so that a test can
 * cut the live connection (`interrupt`). The api serves console/dist at `/` itself; a Kipper
 * started by startKipper() may run without it (it passes `consoleDir: null`), and then this
 * server serves the same built files, and everything else (GraphQL over HTTP and WebSocket,
 * the webhook paths, /healthz) still goes to the real api.
 */
export interface ConsoleSite {
  url: string;
  /** Who serves the console's files: the api, or this server (the api runs without them). */
  filesFrom: 'api' | 'test';
  /**
   * Drops the open WebSocket connections and refuses new ones until `resume()`, as a lost
   * network would; plain HTTP requests still pass.
   */
  interrupt(): { resume(): void };
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const isApiPath = (path: string) => path === '/graphql' || path === '/healthz' || path.startsWith('/api/');

export async function startConsoleSite(apiUrl: string, distDir: string): Promise<ConsoleSite> {
  const home = await fetch(`${apiUrl}/`).then((response) => response.text());
  const filesFrom = home.includes('<div id="app">') ? 'api' : 'test';
  const api = new URL(apiUrl);
  const port = Number(api.port);
  const index = join(distDir, 'index.html');
  const sockets = new Set<Duplex>();
  let interrupted = false;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (filesFrom === 'api' || isApiPath(path)) {
      const upstream = httpRequest({ host: api.hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`console proxy: ${error.message}`);
      });
      req.pipe(upstream);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const candidate = normalize(join(distDir, decodeURIComponent(path)));
    const file = candidate.startsWith(distDir + sep) && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': file === index ? 'no-cache' : 'max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  // WebSocket upgrades (graphql-ws) go to the api as they came, then bytes flow both ways.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (interrupted) {
      socket.destroy();
      return;
    }
    const upstream = connect(port, api.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(socket).add(upstream);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
      sockets.delete(upstream);
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    filesFrom,
    interrupt() {
      interrupted = true;
      for (const socket of sockets) socket.destroy();
      return { resume: () => void (interrupted = false) };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
