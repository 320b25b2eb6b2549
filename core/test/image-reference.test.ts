import { describe, expect, it } from 'vitest';
import { invalidImageMessage, isValidImageReference, parseImageReference } from '@kipper/core';

describe('isValidImageReference', () => {
  it.each([
    'registry.example.com/api:abc123f',
    'nginx:1.27',
    'library/nginx:latest',
    'localhost:5000/team/app:v1.2.3-rc.1',
    'ghcr.io/owner/repo:0123456789abcdef0123456789abcdef01234567',
    'registry.gitlab.com/group/sub-group/my_app__x:main',
    'example.com/app@sha256:' + 'a'.repeat(64),
    'example.com/app:v1@sha256:' + 'b'.repeat(64),
    '[::1]:5000/app:tag',
  ])('accepts %s', (image) => {
    expect(isValidImageReference(image)).toBe(true);
  });

  it.each([
    '',
    'nginx',
    'registry.example.com/api',
    'registry.example.com/Api:v1',
    'registry.example.com/api:',
    'registry.example.com/api:-bad',
    'registry.example.com/api:' + 't'.repeat(129),
    'registry.example.com//api:v1',
    'registry.example.com/api:v1 ',
    ' nginx:1',
    'https://registry.example.com/api:v1',
    'api:v1\n',
    'example.com/app@sha256:short',
    'a/'.repeat(200) + 'b:v1',
  ])('refuses %j', (image) => {
    expect(isValidImageReference(image)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isValidImageReference(undefined)).toBe(false);
    expect(isValidImageReference(42)).toBe(false);
  });

  it('explains a missing tag differently from a malformed reference', () => {
    expect(parseImageReference('registry.example.com/api')).toEqual({ name: 'registry.example.com/api', tag: undefined, digest: undefined });
    expect(invalidImageMessage('registry.example.com/api')).toMatch(/has no tag/);
    expect(invalidImageMessage('Not An Image')).toMatch(/not a valid OCI image reference/);
  });

  it('says when capital letters are the fault, with the lower-cased reference and how CI gets it', () => {
    const message = invalidImageMessage('ghcr.io/Acme/My-App:0d1a26e');
    expect(message).toBe(
      'Image "ghcr.io/Acme/My-App:0d1a26e" has capital letters: image references must be lower-case: use "ghcr.io/acme/my-app:0d1a26e". ' +
        "In CI, lower-case the repository (GitHub Actions: ghcr.io/${GITHUB_REPOSITORY,,}, as Kipper's snippets do)",
    );
    // The tag and digest keep their case; only the name is lower-cased.
    expect(invalidImageMessage('ghcr.io/Acme/app:V1@sha256:' + 'a'.repeat(64))).toContain(`use "ghcr.io/acme/app:V1@sha256:${'a'.repeat(64)}"`);
    expect(isValidImageReference('ghcr.io/acme/app:V1')).toBe(true);
    expect(invalidImageMessage('registry.example.com/Api')).toContain('use "registry.example.com/api" with a tag or digest');
    expect(invalidImageMessage('Nginx:1.27')).toContain('image references must be lower-case: use "nginx:1.27"');
    // Capitals that are not the only fault: the general message.
    expect(invalidImageMessage('Registry.Example.com/API:latest!')).toMatch(/not a valid OCI image reference/);
    expect(invalidImageMessage('Not An Image')).not.toContain('lower-case');
  });
});
