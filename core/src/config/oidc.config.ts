import { ConfigError, type Env } from './config.js';

/** Single sign-on through an OpenID provider (KIPPER_OIDC_*); null when KIPPER_OIDC_ISSUER is unset. */
export interface OidcConfig {
  /** The issuer URL, as the provider's discovery document names it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The console's button reads "Sign in with NAME". */
  name: string;
  /** A claim (e.g. `groups`) whose `kipper:admin` / `kipper:PROJECT:ROLE` values give roles; null: none. */
  roleClaim: string | null;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads KIPPER_OIDC_*: all three of issuer, client id and secret, or none. The issuer is https
 * (http only on a loopback address, for a provider on the same machine); the secret is long
 * enough to key the sign-in state cookie (oidc.routes.ts).
 */
export function oidcConfig(env: Env): OidcConfig | null {
  const issuer = env.KIPPER_OIDC_ISSUER?.trim() ?? '';
  const clientId = env.KIPPER_OIDC_CLIENT_ID?.trim() ?? '';
  const clientSecret = env.KIPPER_OIDC_CLIENT_SECRET ?? '';
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    const missing = [!issuer && 'KIPPER_OIDC_ISSUER', !clientId && 'KIPPER_OIDC_CLIENT_ID', !clientSecret && 'KIPPER_OIDC_CLIENT_SECRET'].filter(Boolean);
    throw new ConfigError(`Single sign-on needs KIPPER_OIDC_ISSUER, KIPPER_OIDC_CLIENT_ID and KIPPER_OIDC_CLIENT_SECRET; missing ${missing.join(', ')}`);
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`KIPPER_OIDC_ISSUER must be a URL, got "${issuer}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(`KIPPER_OIDC_ISSUER must start with https:// (http:// only on 127.0.0.1 or localhost), got "${issuer}"`);
  }
  if (url.username || url.password || url.search || url.hash) throw new ConfigError(`KIPPER_OIDC_ISSUER must be a plain URL without credentials, query or fragment`);
  if (clientSecret.length < 16) throw new ConfigError('KIPPER_OIDC_CLIENT_SECRET must be at least 16 characters long (the one your provider issued)');
  const name = env.KIPPER_OIDC_NAME?.trim() || 'single sign-on';
  if (name.length > 40) throw new ConfigError(`KIPPER_OIDC_NAME is at most 40 characters, got "${name}"`);
  const roleClaim = env.KIPPER_OIDC_ROLE_CLAIM?.trim() || null;
  if (roleClaim !== null && !/^[A-Za-z0-9_:./-]{1,100}$/.test(roleClaim)) throw new ConfigError(`KIPPER_OIDC_ROLE_CLAIM must be a claim name, got "${roleClaim}"`);
  return { issuer, clientId, clientSecret, name, roleClaim };
}
