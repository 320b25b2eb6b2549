import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Where the browser opens the console: a pass-through proxy in front of the api (which serves
 * the built console, GraphQL over HTTP and WebSocket, and the webhooks), like the Vite dev
 * proxy, so that a test can cut the live connection as a lost network would (`interrupt`).
 */
export interface ConsoleSite {
  url: string;
  /**
   * Drops the open WebSocket connections and refuses new ones until `resume()`, as a lost
   * network would; plain HTTP requests still pass.
   */
  interrupt(): { resume(): void };
  close(): Promise<void>;
}

export async function startConsoleSite(apiUrl: string): Promise<ConsoleSite> {
  const api = new URL(apiUrl);
  const port = Number(api.port);
  const sockets = new Set<Duplex>();
  let interrupted = false;

  const server = createServer((req, res) => {
    const upstream = httpRequest({ host: api.hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`console proxy: ${error.message}`);
    });
    req.pipe(upstream);
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
