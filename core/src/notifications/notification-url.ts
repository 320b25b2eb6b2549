import { lookup } from 'node:dns/promises';
import { isPrivateAddress, privateHostProblem } from '../apps/git-url.js';
import { NotificationChannelKind } from './notification-channel.entity.js';

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\s]/;
const MAX_URL_LENGTH = 2000;

export type NotificationUrl = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * Checks the form of a channel's URL: http or https, a host, no credentials (the signature
 * authenticates Kipper; a Slack URL carries its own secret in the path), no fragment, no spaces
 * or control characters. Where the host points is `notificationHostProblem`'s question.
 */
export function parseNotificationUrl(value: string): NotificationUrl {
  const refuse = (problem: string): NotificationUrl => ({ ok: false, problem });
  if (value.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (CONTROL.test(value)) return refuse('contains spaces or control characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('is not a URL: use https://… (or http://…)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse(`uses ${url.protocol}// : notifications go to http:// or https:// URLs only`);
  if (!url.hostname || /^[a-z]+:\/\/\//i.test(value)) return refuse('has no host');
  if (url.username || url.password) return refuse('carries credentials: receivers check the X-Kipper-Signature-256 header instead');
  if (url.hash) return refuse('has a fragment (#…), which is never sent');
  return { ok: true, url };
}

/** The host of a URL as an address or name: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Why Kipper must not send to this address, or null. */
export function refusedAddressProblem(address: string, shown: string = address): string | null {
  return isPrivateAddress(address) ? refusedMessage(shown) : null;
}

function refusedMessage(shown: string): string {
  return `points at ${shown}, a loopback, link-local or private address: Kipper does not send notifications into its own network unless KIPPER_NOTIFY_ALLOW_PRIVATE=true`;
}

/**
 * Why a notification host must not be reached, or null: loopback, link-local (cloud metadata),
 * private and unspecified addresses are refused unless `allowPrivate` (KIPPER_NOTIFY_ALLOW_PRIVATE),
 * so a channel cannot make the worker probe Kipper's own network. Checked when a channel is
 * created and again, on the addresses actually connected to, at every send (DNS can change). A
 * name that does not resolve here is accepted: sending will fail and be recorded.
 */
export async function notificationHostProblem(host: string, allowPrivate: boolean, resolve: typeof lookup = lookup): Promise<string | null> {
  return privateHostProblem(host, allowPrivate, 'KIPPER_NOTIFY_ALLOW_PRIVATE', resolve, 'send notifications into');
}

/**
 * What lists show of a channel's URL: scheme, host and the first two path segments; the rest
 * (where Slack and others keep their secret) and any query become `…`.
 */
export function displayUrlOf(url: URL, kind: NotificationChannelKind): string {
  const segments = url.pathname.split('/').filter(Boolean);
  const keep = kind === NotificationChannelKind.SLACK ? 1 : 2;
  const shown = segments.slice(0, keep);
  let path = shown.length ? `/${shown.join('/')}` : '/';
  if (segments.length > keep) path += '/…';
  else if (url.pathname.endsWith('/') && shown.length) path += '/';
  return `${url.origin}${path}${url.search ? '?…' : ''}`;
}
