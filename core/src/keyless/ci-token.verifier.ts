import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { privateHostProblem } from '../apps/git-url.js';
import { describeError } from '../logger.js';
import { CI_ISSUER_SETTING, subjectMatches } from './webhook-trust.rules.js';
import type { WebhookTrust } from './webhook-trust.entity.js';

/** Signatures a CI token may carry: asymmetric only (`none` and the shared-secret HS* are refused). */
export const CI_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Clock difference tolerated on `exp`, `nbf` and `iat`. */
export const CI_CLOCK_SKEW_SECONDS = 30;
/** Longest token looked at; GitHub's and GitLab's are about 1–2 KB. */
const MAX_TOKEN_LENGTH = 8_192;
const MAX_JTI_LENGTH = 200;
/** How long an issuer's discovery document (its `jwks_uri`) is reused; its keys follow jose's own cache. */
const DISCOVERY_CACHE_MS = 60 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_DISCOVERY_BYTES = 64 * 1024;
/** A failed discovery is kept this long: a flood of tokens naming a trusted issuer that is down costs one fetch, not one each. */
const DISCOVERY_FAILURE_MS = 10_000;

/** Who a verified CI token says it is, and which trust let it in. */
export interface CiIdentity {
  trustId: string;
  issuer: string;
  subject: string;
  /** The token's id, usable once; null when the token has none. */
  jti: string | null;
  expiresAt: Date;
}

export type CiCheck = { ok: true; identity: CiIdentity } | { ok: false; reason: string };

export interface CiTokenVerifierOptions {
  /** KIPPER_CI_ISSUER_ALLOW_PRIVATE: issuers (and their key URLs) on loopback or private addresses, plain http to them. */
  allowPrivate: boolean;
  /** Shortest time between two fetches of an issuer's keys for a token with an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;
type Trust = Pick<WebhookTrust, 'id' | 'issuer' | 'subject' | 'audience'>;

/**
 * Checks keyless CI tokens (OIDC JWTs from GitHub Actions, GitLab CI, …) against an app's trusts:
 * the signature with the issuer's published keys (OIDC discovery → `jwks_uri`, fetched with
 * `jose`, cached, fetched again for an unknown `kid` at most once per cooldown), `iss` equal to a
 * trusted issuer, `aud` holding the trust's audience, `sub` matching its subject pattern, and
 * `exp`/`nbf`/`iat` within 30 s of skew. Every refusal comes back with its reason for the log;
 * the token itself is never put in one.
 */
export class CiTokenVerifier {
  private readonly keys = new Map<string, { keySet: Promise<KeySet>; until: number }>();

  constructor(private readonly options: CiTokenVerifierOptions) {}

  async verify(token: string, trusts: readonly Trust[]): Promise<CiCheck> {
    const refuse = (reason: string): CiCheck => ({ ok: false, reason });
    if (token.length > MAX_TOKEN_LENGTH) return refuse(`the bearer token is longer than ${MAX_TOKEN_LENGTH} characters`);
    let alg: unknown;
    let issuer: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      issuer = decodeJwt(token).iss;
    } catch {
      return refuse('the bearer token is not a JWT');
    }
    if (typeof alg !== 'string' || !CI_TOKEN_ALGORITHMS.includes(alg)) return refuse(`algorithm ${String(alg)} refused: only asymmetric signatures (${CI_TOKEN_ALGORITHMS.join(', ')})`);
    if (typeof issuer !== 'string') return refuse('the token has no iss');
    const candidates = trusts.filter((t) => t.issuer === issuer);
    if (candidates.length === 0) return refuse(`issuer ${issuer.slice(0, 200)} is not trusted by this app`);

    let payload: JWTPayload;
    try {
      const keySet = await this.keySetOf(issuer);
      ({ payload } = await jwtVerify(token, keySet, {
        issuer,
        algorithms: CI_TOKEN_ALGORITHMS,
        clockTolerance: CI_CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'iat', 'sub', 'aud'],
        currentDate: this.now(),
      }));
    } catch (err) {
      return refuse(verificationProblem(err));
    }
    const now = this.now().getTime() / 1000;
    if (typeof payload.iat === 'number' && payload.iat > now + CI_CLOCK_SKEW_SECONDS) return refuse('the token is issued in the future (iat)');
    const subject = payload.sub!;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud!];
    const jti = payload.jti ?? null;
    if (jti !== null && (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)) return refuse('the token has an unusable jti');
    const byAudience = candidates.filter((t) => audiences.includes(t.audience));
    if (byAudience.length === 0) return refuse(`audience ${JSON.stringify(audiences).slice(0, 200)} holds none of the trusted ${candidates.map((t) => t.audience).join(', ')}`);
    const trust = byAudience.find((t) => subjectMatches(t.subject, subject));
    if (!trust) return refuse(`subject ${subject.slice(0, 300)} matches no trust of issuer ${issuer}`);
    return { ok: true, identity: { trustId: trust.id, issuer, subject, jti, expiresAt: new Date(payload.exp! * 1000) } };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The issuer's key set: discovery once an hour per process, concurrent first uses share the fetch; a failure is kept 10 s. */
  private keySetOf(issuer: string): Promise<KeySet> {
    const cached = this.keys.get(issuer);
    if (cached && cached.until > Date.now()) return cached.keySet;
    const keySet = this.discover(issuer);
    this.keys.set(issuer, { keySet, until: Date.now() + DISCOVERY_CACHE_MS });
    keySet.catch(() => {
      const entry = this.keys.get(issuer);
      if (entry?.keySet === keySet) entry.until = Date.now() + DISCOVERY_FAILURE_MS;
    });
    return keySet;
  }

  private async discover(issuer: string): Promise<KeySet> {
    const res = await this.guardedFetch(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (res.status !== 200) throw new Error(`the discovery document of ${issuer} answered ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DISCOVERY_BYTES) throw new Error(`the discovery document of ${issuer} is larger than ${MAX_DISCOVERY_BYTES} bytes`);
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new Error(`the discovery document of ${issuer} is not JSON`);
    }
    if (doc.issuer !== issuer) throw new Error(`the discovery document of ${issuer} names another issuer`);
    if (typeof doc.jwks_uri !== 'string') throw new Error(`the discovery document of ${issuer} has no jwks_uri`);
    const jwksUri = new URL(doc.jwks_uri);
    return createRemoteJWKSet(jwksUri, {
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      timeoutDuration: FETCH_TIMEOUT_MS,
      [customFetch]: (url: string, init: RequestInit) => this.guardedFetch(url, init),
    });
  }

  /**
   * fetch, refusing what a trust must not make Kipper reach: plain http (unless allowed and to a
   * private address), and hosts on loopback, link-local or private addresses unless
   * KIPPER_CI_ISSUER_ALLOW_PRIVATE; checked on every fetch (a name may resolve elsewhere later).
   * Redirects are not followed.
   */
  private async guardedFetch(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && this.options.allowPrivate)) throw new Error(`${target.origin} is not https`);
    const problem = await privateHostProblem(host, this.options.allowPrivate, CI_ISSUER_SETTING, undefined, 'fetch keys from');
    if (problem) throw new Error(`${target.origin} ${problem}`);
    return fetch(target, { ...init, redirect: 'manual' });
  }
}

/** Why jose refused a token, in words for the log (never the token). */
function verificationProblem(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired (exp)';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} refused: ${err.reason}`;
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid)';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm refused';
  if (err instanceof errors.JOSEError) return `the token is refused: ${err.message}`;
  return `the issuer's keys could not be fetched: ${describeError(err, { stack: false })}`;
}
