import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, parseNotificationUrl, refusedAddressProblem, RESPONSE_EXCERPT_MAX, describeError } from '@kipper/core';

/** What one POST to a receiver gave. */
export interface SendResult {
  /** The receiver's HTTP status; null when it never answered. */
  statusCode: number | null;
  /** 2xx. */
  ok: boolean;
  /** Why there is no usable answer (timeout, refused connection, a redirect, a refused address); null for 2xx. */
  error: string | null;
  /** The address was refused (loopback, private, …) or the URL is unusable: no retry can help. */
  refused: boolean;
  latencyMs: number;
  /** The start of the response body, at most 500 characters. */
  excerpt: string | null;
}

export interface SendOptions {
  /** The whole exchange, connection to the end of the response; default 5 s. */
  timeoutMs?: number;
  /** KIPPER_NOTIFY_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** DNS lookup (tests); default node:dns lookup. */
  lookup?: typeof dnsLookup;
}

export const SEND_TIMEOUT_MS = 5_000;
/** Bytes of a response read for its excerpt; the rest is not waited for. */
const READ_MAX = 4 * 1024;
const USER_AGENT = 'Kipper-Notifications/1';

class RefusedAddress extends Error {
  readonly code = 'EKIPPERREFUSED';
}

/**
 * A lookup that refuses loopback, link-local, private and unspecified addresses at connect time,
 * on the very addresses the socket will use: a name that resolved to a public address when the
 * channel was created but points inside now (or alternates: DNS rebinding) is refused.
 */
export function guardedLookup(allowPrivate: boolean, lookup: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const problem = refusedAddressProblem(address, `${hostname} (${address})`);
          if (problem) {
            callback(new RefusedAddress(problem), '', 0);
            return;
          }
        }
      }
      if ((options as LookupOptions).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return;
      }
      const first = addresses[0];
      if (!first) {
        callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs `body` to `url` and reports what happened; never throws. Redirects are not followed
 * (the receiver's 3xx is recorded as a failure: following it could lead into Kipper's own
 * network), and nothing past the first 4 KB of the answer is read.
 */
export async function sendNotification(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string, refused = false, statusCode: number | null = null, excerpt: string | null = null): SendResult => ({
    statusCode,
    ok: false,
    error,
    refused,
    latencyMs: elapsed(),
    excerpt,
  });
  const parsed = parseNotificationUrl(url);
  if (!parsed.ok) return failed(`URL ${parsed.problem}`, true);
  const host = hostOf(parsed.url);
  // IP literals never reach the lookup: check them here.
  if (isIP(host) && !options.allowPrivate) {
    const problem = refusedAddressProblem(host);
    if (problem) return failed(`URL ${problem}`, true);
  }
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const request = parsed.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      parsed.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(options.allowPrivate, options.lookup),
        // Each attempt on a fresh connection: a kept-alive socket would skip the address check.
        agent: false,
      },
      (res) => {
        readExcerpt(res).then(
          (excerpt) => {
            const statusCode = res.statusCode ?? 0;
            if (statusCode >= 200 && statusCode < 300) {
              finish({ statusCode, ok: true, error: null, refused: false, latencyMs: elapsed(), excerpt });
            } else if (statusCode >= 300 && statusCode < 400) {
              const location = res.headers.location ? ` to ${res.headers.location.slice(0, 200)}` : '';
              finish(failed(`answered ${statusCode}: a redirect${location}, which Kipper does not follow`, false, statusCode, excerpt));
            } else {
              finish(failed(`answered ${statusCode}`, false, statusCode, excerpt));
            }
          },
          (err: unknown) => finish(failed(`the answer broke off: ${describeError(err, { stack: false })}`, false, res.statusCode ?? null)),
        );
      },
    );
    const timer = setTimeout(() => {
      finish(failed(`no answer within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof RefusedAddress) finish(failed(`URL ${err.message}`, true));
      else finish(failed(connectionError(err)));
    });
    req.end(body);
  });
}

/** Reads up to READ_MAX bytes of the body and returns its start as text (null when empty); drops the rest. */
function readExcerpt(res: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      const text = Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_EXCERPT_MAX);
      resolve(text.length ? text : null);
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= READ_MAX) {
        res.destroy();
        done();
      }
    });
    res.on('end', done);
    res.on('error', reject);
  });
}

function connectionError(err: NodeJS.ErrnoException): string {
  switch (err.code ?? '') {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listening)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    case 'ECONNRESET':
      return 'connection reset by the receiver';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      return describeError(err, { stack: false });
  }
}
