import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A local OIDC token issuer, as GitHub Actions' and GitLab's publish theirs: per issuer path
 * (`/github`, `/gitlab`, …) an OpenID discovery document at `{issuer}/.well-known/openid-configuration`
 * whose `jwks_uri` serves the issuer's public keys. Keys can be added later (rotation); tokens
 * are signed with `jose`. Binds 127.0.0.1; `close()` stops it.
 */

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface LocalIssuer {
  /** `http://127.0.0.1:PORT/NAME`. */
  issuer: string;
  /** Generates a key; `publish: false` keeps it out of the JWKS (an unknown kid). */
  addKey(options?: { alg?: string; publish?: boolean }): Promise<SigningKey>;
  /** Signs claims (iss set to this issuer unless given) with `key` (default: the first published key). */
  sign(claims: Record<string, unknown>, key?: SigningKey): Promise<string>;
}

export interface OidcIssuerServer {
  url: string;
  /** How many times each issuer's JWKS was fetched. */
  jwksFetches: Map<string, number>;
  issuer(name: string): Promise<LocalIssuer>;
  close(): Promise<void>;
}

export async function startOidcIssuers(): Promise<OidcIssuerServer> {
  const published = new Map<string, JWK[]>();
  const jwksFetches = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const match = /^\/([a-z0-9-]+)\/(\.well-known\/openid-configuration|jwks)$/.exec(req.url ?? '');
    const keys = match ? published.get(match[1]!) : undefined;
    if (!match || !keys) {
      res.writeHead(404).end();
      return;
    }
    const issuer = `${url}/${match[1]}`;
    res.setHeader('content-type', 'application/json');
    if (match[2] === 'jwks') {
      jwksFetches.set(match[1]!, (jwksFetches.get(match[1]!) ?? 0) + 1);
      res.end(JSON.stringify({ keys }));
      return;
    }
    res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256', 'ES256'], response_types_supported: ['id_token'], subject_types_supported: ['public'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    jwksFetches,
    async issuer(name) {
      const issuer = `${url}/${name}`;
      const keys: SigningKey[] = [];
      published.set(name, []);
      const local: LocalIssuer = {
        issuer,
        async addKey({ alg = 'RS256', publish = true } = {}) {
          const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
          const kid = randomUUID();
          const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
          const key = { kid, alg, privateKey, publicJwk };
          if (publish) {
            published.get(name)!.push(publicJwk);
            keys.push(key);
          }
          return key;
        },
        async sign(claims, key = keys[0]) {
          if (!key) throw new Error('no published key: addKey() first');
          return new SignJWT({ iss: issuer, ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
        },
      };
      return local;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The claims of a GitHub Actions OIDC token for a push to `ref` of `repository`, valid for 5 minutes from now. */
export function githubActionsClaims(repository: string, ref = 'refs/heads/main', over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: 'kipper',
    sub: `repo:${repository}:ref:${ref}`,
    repository,
    repository_owner: repository.split('/')[0],
    ref,
    sha: 'a'.repeat(40),
    workflow: 'deploy',
    event_name: 'push',
    jti: randomUUID(),
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    ...over,
  };
}

/** The claims of a GitLab CI ID token (`id_tokens` with `aud`) for a branch pipeline. */
export function gitlabClaims(projectPath: string, branch = 'main', over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: 'kipper',
    sub: `project_path:${projectPath}:ref_type:branch:ref:${branch}`,
    project_path: projectPath,
    namespace_path: projectPath.split('/')[0],
    ref: branch,
    ref_type: 'branch',
    pipeline_source: 'push',
    jti: randomUUID(),
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    ...over,
  };
}
