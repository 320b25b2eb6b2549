import { createHash } from 'node:crypto';

/**
 * The simulator's image registry: every image reference resolves to a deterministic
 * `sha256:` digest, as a registry resolves a tag when kubelet pulls it. Re-pushing a tag
 * (`POST /kipper-sim/v1/images/push`) moves it to a new digest: pods that pull it afterwards
 * report the new one, pods already running keep the digest they pulled. A reference that
 * names a digest (`repo@sha256:…`) resolves to exactly that digest.
 *
 * Push generations live in the process (not per simulator and not in the state file): tests
 * that re-push use image names of their own.
 */
const generations = new Map<string, number>();

/** `registry.example.com/api:1.0` → `registry.example.com/api`, `api` → `api` (tag and digest dropped). */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  const base = at === -1 ? reference : reference.slice(0, at);
  const colon = base.indexOf(':', base.lastIndexOf('/') + 1);
  return colon === -1 ? base : base.slice(0, colon);
}

/** The digest a pull of `reference` gets now. */
export function digestOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at !== -1) return reference.slice(at + 1);
  const generation = generations.get(reference) ?? 0;
  return `sha256:${createHash('sha256').update(`${reference}#${generation}`).digest('hex')}`;
}

/** What Kubernetes reports as `containerStatuses[].imageID`: the repository and the pulled digest. */
export function imageIdOf(reference: string): string {
  return `${repositoryOf(reference)}@${digestOf(reference)}`;
}

/** Moves the tag to a new digest, as `docker push` of a rebuilt image under the same tag does. */
export function pushImage(reference: string): { image: string; digest: string; generation: number } {
  if (reference.includes('@')) throw new Error('a digest reference cannot be re-pushed: push a tag');
  const generation = (generations.get(reference) ?? 0) + 1;
  generations.set(reference, generation);
  return { image: reference, digest: digestOf(reference), generation };
}
