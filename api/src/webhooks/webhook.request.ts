import type { IncomingHttpHeaders } from 'node:http';
import { DeliverySource, ErrorCode, KipperError, type App, type DeliveryEvent, type ParsedDelivery } from '@kipper/core';

/**
 * Reading a webhook request: who sent it, its de-duplication key, its JSON body. Pure over the
 * headers and the raw bytes, so every rule here is unit-tested without a server.
 */

type Headers = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** A header's first value, trimmed; undefined when missing or blank. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** Which sender this is: GitHub and GitLab name their event in a header; anything else is Kipper's format. */
export function deliveryHeaders(headers: Headers): DeliveryEvent {
  const github = headerValue(headers, 'x-github-event');
  if (github) return { source: DeliverySource.GITHUB, event: github.slice(0, 100) };
  const gitlab = headerValue(headers, 'x-gitlab-event');
  if (gitlab) return { source: DeliverySource.GITLAB, event: gitlab.slice(0, 100) };
  return { source: DeliverySource.KIPPER, event: 'deploy' };
}

/** The de-duplication key: X-GitHub-Delivery, X-Gitlab-Event-UUID or Idempotency-Key. */
export function deliveryKey(headers: Headers): string | undefined {
  const key = headerValue(headers, 'x-github-delivery') ?? headerValue(headers, 'x-gitlab-event-uuid') ?? headerValue(headers, 'idempotency-key');
  if (key === undefined) return undefined;
  if (key.length > 200) {
    throw new KipperError(ErrorCode.VALIDATION_FAILED, 'The Idempotency-Key (or delivery id) header is longer than 200 characters: send a shorter key, e.g. a UUID');
  }
  return key;
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Parses the raw body. JSON for everyone; GitHub's "application/x-www-form-urlencoded" content
 * type carries the same JSON in a `payload` field and is accepted too.
 */
export function parseBody(raw: Buffer, type: string): unknown {
  let text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) {
      throw new KipperError(ErrorCode.MALFORMED_JSON, 'The form body has no "payload" field: set the GitHub webhook content type to application/json');
    }
    text = payload;
  }
  if (text.trim() === '') {
    throw new KipperError(ErrorCode.MALFORMED_JSON, 'The body is empty: send a JSON object like {"image": "registry.example.com/api:abc123f", "commit": "abc123f"}');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message}` : '';
    throw new KipperError(ErrorCode.MALFORMED_JSON, `The body is not valid JSON${detail}. Send a JSON object like {"image": "registry.example.com/api:abc123f", "commit": "abc123f"}`);
  }
}

/** The delivery an authenticated request carries, for the core's DeliveryHandler. MALFORMED_JSON or VALIDATION_FAILED (key) when it cannot be read. */
export function parseDelivery(app: App, headers: Headers, raw: Buffer): ParsedDelivery {
  const body = parseBody(raw, mediaType(headerValue(headers, 'content-type')));
  return { app, ...deliveryHeaders(headers), key: deliveryKey(headers), body };
}

/** The number in a status URL; REVISION_NOT_FOUND for anything that cannot be one. */
export function revisionNumberOf(param: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(param)) {
    throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `"${param.slice(0, 20)}" is not a revision number: use the statusUrl the webhook answered with`);
  }
  return Number(param);
}
