import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** Someone the test OpenID provider signs in: any login name at its login page becomes one. */
export interface ProviderPerson {
  email?: string;
  emailVerified?: boolean;
  name?: string;
  groups?: string[];
}

export interface LocalOpenIdProvider {
  /** The issuer, `http://127.0.0.1:PORT`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the provider says about a login name (default: `NAME@example.com`, verified). */
  people: Map<string, ProviderPerson>;
  /** Registers Kipper's client, once Kipper's address (and so its redirect URI) is known. */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (the `oidc-provider` package, with its development login and consent
 * pages) on 127.0.0.1. Its port is known before the client is registered, because Kipper needs
 * the issuer at start and the provider needs Kipper's redirect URI.
 */
export async function startOpenIdProvider(): Promise<LocalOpenIdProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (!handler) {
      res.writeHead(503).end('provider not ready');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'kipper-console';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const people = new Map<string, ProviderPerson>();

  return {
    issuer,
    clientId,
    clientSecret,
    people,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'groups'] },
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
        cookies: { keys: ['a-test-cookie-key-that-is-long-enough'] },
        findAccount: (_ctx: unknown, id: string) => ({
          accountId: id,
          claims: () => {
            const person = people.get(id) ?? {};
            return {
              sub: `sub-${id}`,
              email: person.email ?? `${id}@example.com`,
              email_verified: person.emailVerified ?? true,
              name: person.name ?? id,
              preferred_username: id,
              ...(person.groups ? { groups: person.groups } : {}),
            };
          },
        }),
      });
      // Its errors (a refused code, a wrong secret) are what the tests provoke: not printed.
      provider.on('server_error', () => undefined);
      handler = provider.callback();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
