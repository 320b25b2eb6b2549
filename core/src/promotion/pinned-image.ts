import type { Revision } from '../revisions/revision.entity.js';
import { parseImageReference } from '../revisions/image-reference.js';

/**
 * What a promotion of `source` deploys: its repository at the digest its pods ran
 * (`registry.example.com/api@sha256:…`), so that moving the tag afterwards changes nothing in
 * the target; `tag` is the reference people know it by (`registry.example.com/api:main`), kept
 * for display. Null when the source has no recorded digest.
 */
export function pinnedImageOf(source: Pick<Revision, 'image' | 'imageTag' | 'digest'>): { image: string; tag: string | null } | null {
  if (!source.digest || !source.image) return null;
  const reference = parseImageReference(source.image);
  if (!reference) return null;
  const tag = source.imageTag ?? (reference.tag !== undefined ? source.image : null);
  return { image: `${reference.name}@${source.digest}`, tag };
}
