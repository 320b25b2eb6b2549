import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { FetchLike } from '@kipper/client';

/**
 * `fetch` for the client's POSTs, on node:http. Node's own fetch (undici) costs a short
 * command most of its time: about 40 ms to load and compile before the first request, and
 * about 90 ms at exit while V8 finishes compiling its WebAssembly HTTP parser. Failures read
 * the same: the socket's error (`connect ECONNREFUSED …`), or the signal's reason.
 * Redirects are followed as fetch follows them (307/308 resend the POST, 301/302/303 become
 * a GET; the token is not sent to another origin).
 */
export const nodeFetch: FetchLike = async (url, init) => {
  let target = new URL(url);
  let { method, body } = init as { method: string; body: string | undefined };
  const headers = { ...init.headers };
  for (let redirects = 0; ; redirects++) {
    const response = await send(target, method, headers, body, init.signal);
    const location = response.headers.location;
    if (response.statusCode === undefined || ![301, 302, 303, 307, 308].includes(response.statusCode) || !location) {
      const headers = response.headers;
      return {
        status: response.statusCode ?? 0,
        text: () => readText(response, init.signal),
        headers: { get: (name: string) => [headers[name.toLowerCase()]].flat()[0] ?? null },
      };
    }
    response.resume();
    if (redirects === 20) throw new Error('redirect count exceeded');
    const next = new URL(location, target);
    if (next.origin !== target.origin) delete headers.authorization;
    if (response.statusCode !== 307 && response.statusCode !== 308) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    target = next;
  }
};

async function send(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | null,
): Promise<IncomingMessage> {
  signal?.throwIfAborted();
  // node:https (and with it tls) only for an https server.
  const request = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
    const abort = () => req.destroy(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    req.on('response', (response) => {
      signal?.removeEventListener('abort', abort);
      resolve(response);
    });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(signal?.aborted ? signal.reason : error);
    });
    req.end(body);
  });
}

function readText(response: IncomingMessage, signal: AbortSignal | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const abort = () => response.destroy(signal?.reason);
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      signal?.removeEventListener('abort', abort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(signal?.aborted ? signal.reason : error);
    });
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}
