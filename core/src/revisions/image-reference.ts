import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

/**
 * OCI image references, following the grammar of distribution/reference:
 * `[registry[:port]/]path[:tag][@algorithm:hex]`. Kipper also asks for a tag or a digest
 * ("full image reference including tag"): a bare name means `:latest`, which cannot be
 * rolled out or rolled back reliably.
 */
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[[a-fA-F0-9:]+\\]';
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[_.]|__|-+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${domain}/)?${remoteName})(?::(${tag}))?(?:@(${digest}))?$`);

const NAME_MAX = 255;

export interface ImageReference {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImageReference(value: string): ImageReference | undefined {
  if (typeof value !== 'string' || value.length > 1024) return undefined;
  const match = REFERENCE.exec(value);
  if (!match) return undefined;
  const [, name, tagPart, digestPart] = match;
  if (!name || name.length > NAME_MAX) return undefined;
  return { name, tag: tagPart, digest: digestPart };
}

/** True for a well-formed reference that names a tag or a digest. */
export function isValidImageReference(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const ref = parseImageReference(value);
  return ref !== undefined && (ref.tag !== undefined || ref.digest !== undefined);
}

/** The message for INVALID_IMAGE, shared by GraphQL and the webhook shim. */
export function invalidImageMessage(value: unknown): string {
  // Never String(value): a JSON object such as {"toString": "x"} cannot be converted.
  if (typeof value !== 'string') return `Image must be a string like registry.example.com/api:abc123f, got ${describeJsonType(value)}`;
  const shown = JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (parseImageReference(value)) {
    return `Image ${shown} has no tag: give the full reference including a tag or digest, e.g. registry.example.com/api:abc123f`;
  }
  return `Image ${shown} is not a valid OCI image reference (expected e.g. registry.example.com/api:abc123f)`;
}

/** What a JSON value is, for messages about a field of the wrong type. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** INVALID_IMAGE unless `value` is a full reference with a tag or digest: every place that takes an image checks it here. */
export function assertImageReference(value: unknown): asserts value is string {
  if (!isValidImageReference(value)) throw new KipperError(ErrorCode.INVALID_IMAGE, invalidImageMessage(value), { field: 'image' });
}
