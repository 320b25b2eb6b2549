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

/**
 * `value` with its name (registry and repository path) lower-cased and its tag and digest kept,
 * or undefined when the name has no capital letters. A tag may hold capitals; a repository path
 * may not, and `ghcr.io/${{ github.repository }}` brings the owner's and repository's capitals.
 */
function lowerCasedName(value: string): string | undefined {
  const at = value.indexOf('@');
  const base = at === -1 ? value : value.slice(0, at);
  const colon = base.indexOf(':', base.lastIndexOf('/') + 1);
  const name = colon === -1 ? base : base.slice(0, colon);
  if (name === name.toLowerCase()) return undefined;
  return name.toLowerCase() + value.slice(name.length);
}

const shownImage = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** The message for INVALID_IMAGE, shared by GraphQL and the webhook shim. */
export function invalidImageMessage(value: unknown): string {
  // Never String(value): a JSON object such as {"toString": "x"} cannot be converted.
  if (typeof value !== 'string') return `Image must be a string like registry.example.com/api:abc123f, got ${describeJsonType(value)}`;
  const shown = shownImage(value);
  const lowered = lowerCasedName(value);
  if (lowered !== undefined && parseImageReference(lowered)) {
    // Capitals are the only fault (or capitals and a missing tag): say so, with the fix.
    const fix = isValidImageReference(lowered) ? `use ${shownImage(lowered)}` : `use ${shownImage(lowered)} with a tag or digest`;
    return `Image ${shown} has capital letters: image references must be lower-case: ${fix}. In CI, lower-case the repository (GitHub Actions: ghcr.io/\${GITHUB_REPOSITORY,,}, as Kipper's snippets do)`;
  }
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
