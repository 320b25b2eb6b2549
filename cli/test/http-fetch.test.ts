import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../src/http-fetch.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: string;
}

/** Two servers (two origins); `a` redirects as its path says, both echo what they received. */
function echoServer(seen: Seen[], redirects: (req: IncomingMessage) => [number, string] | undefined): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      if (req.url === '/slow') return; // never answers
      const redirect = redirects(req);
      if (redirect) {
        res.writeHead(redirect[0], { location: redirect[1] }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body }));
    });
  });
}

const seen: Seen[] = [];
let a: Server;
let b: Server;
let urlA = '';
let urlB = '';
const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
beforeAll(async () => {
  b = echoServer(seen, () => undefined);
  urlB = await listen(b);
  a = echoServer(seen, (req) => {
    if (req.url === '/307') return [307, '/graphql'];
    if (req.url === '/303') return [303, '/graphql'];
    if (req.url === '/elsewhere') return [308, `${urlB}/graphql`];
    return undefined;
  });
  urlA = await listen(a);
});
afterAll(async () => {
  for (const server of [a, b]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const post = (url: string, signal: AbortSignal | null = null) =>
  nodeFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body: '{"query":"{ x }"}', signal });

describe("kip's fetch on node:http", () => {
  it('posts the body with the headers and answers status and text', async () => {
    seen.length = 0;
    const response = await post(`${urlA}/graphql`);
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text())).toEqual({ method: 'POST', body: '{"query":"{ x }"}' });
    expect(seen).toEqual([{ method: 'POST', url: '/graphql', authorization: 'Bearer t', body: '{"query":"{ x }"}' }]);
  });

  it('follows redirects as fetch does: 307/308 resend the POST, 303 becomes a GET, no token to another origin', async () => {
    seen.length = 0;
    expect(JSON.parse(await (await post(`${urlA}/307`)).text())).toMatchObject({ method: 'POST' });
    expect(seen[1]).toMatchObject({ method: 'POST', url: '/graphql', authorization: 'Bearer t' });
    seen.length = 0;
    expect(JSON.parse(await (await post(`${urlA}/303`)).text())).toEqual({ method: 'GET', body: '' });
    seen.length = 0;
    await post(`${urlA}/elsewhere`);
    expect(seen[1]).toMatchObject({ method: 'POST', authorization: undefined, body: '{"query":"{ x }"}' });
  });

  it("fails with the socket's error, or with the signal's reason when aborted", async () => {
    await expect(post('http://127.0.0.1:1/graphql')).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.1:1/);
    const timeout = AbortSignal.timeout(100);
    await expect(post(`${urlA}/slow`, timeout)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
