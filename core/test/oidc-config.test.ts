import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kipper/core';

const SECRET = 'a-client-secret-of-32-characters';

function load(env: Record<string, string>) {
  return loadConfig({ HOME: '/nonexistent', ...env });
}

function refusal(env: Record<string, string>): string | null {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return null;
}

describe('single sign-on settings (KIPPER_OIDC_*)', () => {
  it('are off unless configured', () => {
    expect(load({}).oidc).toBeNull();
  });

  it('read issuer, client, button name and role claim', () => {
    expect(
      load({ KIPPER_OIDC_ISSUER: 'https://id.example.com/realms/acme', KIPPER_OIDC_CLIENT_ID: 'kipper', KIPPER_OIDC_CLIENT_SECRET: SECRET, KIPPER_OIDC_NAME: 'Acme SSO', KIPPER_OIDC_ROLE_CLAIM: 'groups' }).oidc,
    ).toEqual({ issuer: 'https://id.example.com/realms/acme', clientId: 'kipper', clientSecret: SECRET, name: 'Acme SSO', roleClaim: 'groups' });
    expect(load({ KIPPER_OIDC_ISSUER: 'http://127.0.0.1:9000', KIPPER_OIDC_CLIENT_ID: 'kipper', KIPPER_OIDC_CLIENT_SECRET: SECRET }).oidc).toMatchObject({ name: 'single sign-on', roleClaim: null });
  });

  it('stop the start with one line naming what is wrong', () => {
    expect(refusal({ KIPPER_OIDC_ISSUER: 'https://id.example.com' })).toBe('Single sign-on needs KIPPER_OIDC_ISSUER, KIPPER_OIDC_CLIENT_ID and KIPPER_OIDC_CLIENT_SECRET; missing KIPPER_OIDC_CLIENT_ID, KIPPER_OIDC_CLIENT_SECRET');
    const client = { KIPPER_OIDC_CLIENT_ID: 'kipper', KIPPER_OIDC_CLIENT_SECRET: SECRET };
    expect(refusal({ ...client, KIPPER_OIDC_ISSUER: 'http://id.example.com' })).toMatch(/^KIPPER_OIDC_ISSUER must start with https:\/\//);
    expect(refusal({ ...client, KIPPER_OIDC_ISSUER: 'not a url' })).toBe('KIPPER_OIDC_ISSUER must be a URL, got "not a url"');
    expect(refusal({ ...client, KIPPER_OIDC_ISSUER: 'https://id.example.com', KIPPER_OIDC_CLIENT_SECRET: 'short' })).toMatch(/^KIPPER_OIDC_CLIENT_SECRET must be at least 16 characters/);
    expect(refusal({ ...client, KIPPER_OIDC_ISSUER: 'https://id.example.com', KIPPER_OIDC_ROLE_CLAIM: 'groups; drop' })).toMatch(/^KIPPER_OIDC_ROLE_CLAIM must be a claim name/);
  });
});
