import { ErrorCode, personPrincipal, type KipperServices, type Principal } from '@kipper/core';
import { GraphQLError } from 'graphql';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE } from './cookies.js';

/** What authenticated a caller: open subscriptions re-check it (credential-watch.ts). */
export type Credential = { kind: 'token'; tokenId: string } | { kind: 'session'; sessionId: string } | { kind: 'operator' };

export interface Authenticated {
  principal: Principal;
  credential: Credential;
}

export type Authentication = Authenticated | { refused: 'unauthenticated' | 'csrf' };

function credentialOf(principal: Principal): Credential {
  return principal.tokenId ? { kind: 'token', tokenId: principal.tokenId } : { kind: 'operator' };
}

/**
 * A bearer token (Authorization header, or `connectionParams.authorization` on a socket) wins;
 * without one, the session cookie, which needs its CSRF token too (the X-Kipper-CSRF header, or
 * `connectionParams.csrfToken`): a page on another site can make a browser send the cookie but
 * can never know that token.
 */
export async function authenticateCaller(
  services: KipperServices,
  input: { authorization: unknown; cookie: unknown; csrf: unknown },
): Promise<Authentication> {
  if (input.authorization !== undefined && input.authorization !== null && input.authorization !== '') {
    const principal = await services.auth.authenticate(input.authorization);
    return principal ? { principal, credential: credentialOf(principal) } : { refused: 'unauthenticated' };
  }
  const value = cookieValue(input.cookie, SESSION_COOKIE);
  if (!value) return { refused: 'unauthenticated' };
  const live = await services.sessions.lookup(value);
  if (!live) return { refused: 'unauthenticated' };
  if (!services.sessions.csrfMatches(live.session, input.csrf)) return { refused: 'csrf' };
  return { principal: personPrincipal(live.user), credential: { kind: 'session', sessionId: live.session.id } };
}

export function csrfRefused(): GraphQLError {
  return new GraphQLError(`Missing or wrong CSRF token: send the session's csrfToken in the ${CSRF_HEADER} header`, {
    extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
  });
}
