import { describeError, ErrorCode, KipperError, type KipperConfig, type KipperServices, type Logger, type OidcConfig, type ProviderClaims } from '@kipper/core';
import { type Request, type Response, Router } from 'express';
import * as oidc from 'openid-client';
import { cookieValue, sessionCookie } from './cookies.js';
import { clearedStateCookie, OIDC_STATE_COOKIE, OIDC_STATE_TTL_SECONDS, stateCookie, StateSealer } from './oidc-state.js';

/**
 * Why a single sign-on ended without a session: the console shows its own words for each
 * (`/?sso_error=CODE`), so no text from a URL is ever shown as Kipper's.
 */
export type SignInFailure = 'denied' | 'provider' | 'expired' | 'state' | 'token' | 'unavailable' | 'disabled' | 'internal';

export const CALLBACK_PATH = '/api/v1/session/oidc/callback';

interface Settings {
  config: () => KipperConfig;
  log: Logger;
}

/**
 * GET /api/v1/session/providers (whether the console offers "Sign in with NAME"), and the
 * authorization code flow with PKCE through openid-client: /oidc/start sends the browser to
 * the provider, /oidc/callback takes the code back, finds or creates the person
 * (SingleSignOnService) and starts the same session as a password sign-in.
 */
export function createSingleSignOnRouter(services: KipperServices, settings: Settings): Router {
  const router = Router();
  const oidcConfig = settings.config().oidc;
  router.get('/providers', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ password: true, oidc: oidcConfig ? { name: oidcConfig.name, startUrl: '/api/v1/session/oidc/start' } : null });
  });
  if (!oidcConfig) return router;

  const provider = new ProviderConnection(oidcConfig);
  const sealer = new StateSealer(oidcConfig.clientSecret);
  const publicUrl = () => settings.config().publicUrl;
  const secure = () => publicUrl().startsWith('https:');
  const redirectUri = () => `${publicUrl()}${CALLBACK_PATH}`;

  const failed = (res: Response, failure: SignInFailure, detail?: unknown) => {
    if (detail !== undefined) settings.log.warn(`single sign-on failed (${failure}): ${describeError(detail, { stack: false })}`);
    res.setHeader('Set-Cookie', clearedStateCookie(secure()));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, `${publicUrl()}/?sso_error=${failure}`);
  };

  router.get('/oidc/start', async (_req: Request, res: Response) => {
    let configuration: oidc.Configuration;
    try {
      configuration = await provider.configuration();
    } catch (err) {
      return failed(res, 'unavailable', err);
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, expiresAt: Date.now() + OIDC_STATE_TTL_SECONDS * 1000 };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri(),
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    res.setHeader('Set-Cookie', stateCookie(sealer.seal(pending), secure()));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url.href);
  });

  router.get('/oidc/callback', async (req: Request, res: Response) => {
    const query = new URL(req.originalUrl, 'http://callback').searchParams;
    const error = query.get('error');
    if (error) return failed(res, error === 'access_denied' ? 'denied' : 'provider', new Error(`the provider answered ${error.slice(0, 100)}`));
    const pending = sealer.open(cookieValue(req.headers.cookie, OIDC_STATE_COOKIE));
    if (!pending) return failed(res, 'expired');
    if (query.get('state') !== pending.state) return failed(res, 'state');
    let claims: ProviderClaims;
    try {
      const configuration = await provider.configuration();
      const current = new URL(redirectUri());
      current.search = query.toString();
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      // Many providers put email and groups only in userinfo (the ID token of a code flow may hold just `sub`).
      const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      claims = { ...userinfo, ...idClaims, sub: idClaims.sub };
    } catch (err) {
      return failed(res, 'token', err);
    }
    try {
      const user = await services.singleSignOn.personFor(oidcConfig.issuer, claims);
      const started = await services.sessions.start(user.id);
      await services.audit.record(user.name, 'session.start', user.name, { session: started.id, via: 'oidc' });
      res.setHeader('Set-Cookie', [clearedStateCookie(secure()), sessionCookie(started.cookieValue, { secure: secure(), expires: null })]);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, `${publicUrl()}/`);
    } catch (err) {
      return failed(res, err instanceof KipperError && err.code === ErrorCode.UNAUTHENTICATED ? 'disabled' : 'internal', err);
    }
  });
  return router;
}

/** The provider's metadata (discovery), fetched at the first sign-in and kept; a failure is tried again next time. */
class ProviderConnection {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(private readonly config: OidcConfig) {}

  configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover();
    this.discovered.catch(() => (this.discovered = undefined));
    return this.discovered;
  }

  private discover(): Promise<oidc.Configuration> {
    // http:// is accepted by the config only for a provider on a loopback address.
    const insecure = this.config.issuer.startsWith('http:');
    return oidc.discovery(new URL(this.config.issuer), this.config.clientId, this.config.clientSecret, undefined, {
      timeout: 10,
      // The ID token's signature is checked against the provider's JWKS too, not only trusted for arriving over TLS.
      execute: insecure ? [oidc.enableNonRepudiationChecks, oidc.allowInsecureRequests] : [oidc.enableNonRepudiationChecks],
    });
  }
}
