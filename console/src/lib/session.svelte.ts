import { createSessionApi, type ConsoleSession, type SessionUser, type SignInProviders } from '@kipper/client';
import { onUnauthenticated, toUserError, type UserError } from './errors';

const KEY = 'kipper.token';

function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** The api that served this page: /api/v1/session beside /graphql. */
export const sessionApi = createSessionApi(new URL('/', location.href).href);

/** Why a single sign-on came back without a session (`/?sso_error=…`, set by the api's callback), in the console's words. */
const singleSignOnFailures: Record<string, UserError> = {
  denied: { code: 'UNAUTHENTICATED', message: 'Single sign-on was cancelled at the identity provider.', hint: 'Nothing was signed in. Try again and allow Kipper access, or sign in with a name and password.' },
  provider: { code: 'UNAUTHENTICATED', message: 'The identity provider refused the sign-in.', hint: 'Try again; if it keeps failing, ask whoever runs the provider.' },
  expired: { code: 'UNAUTHENTICATED', message: 'The single sign-on took too long or was started in another browser.', hint: 'Start it again from this page.' },
  state: { code: 'UNAUTHENTICATED', message: 'The single sign-on could not be verified (its state did not match this browser’s).', hint: 'Nothing was signed in. Start it again from this page.' },
  token: { code: 'UNAUTHENTICATED', message: 'The identity provider’s answer could not be verified.', hint: 'Nothing was signed in. Try again; if it keeps failing, check the api logs.' },
  unavailable: { code: 'UNREACHABLE', message: 'The identity provider could not be reached.', hint: 'Try again shortly, or sign in with a name and password.' },
  disabled: { code: 'UNAUTHENTICATED', message: 'Your Kipper account is disabled.', hint: 'Ask an instance admin.' },
  internal: { code: 'INTERNAL', message: 'Something went wrong in Kipper while signing you in.', hint: 'Try again; if it keeps failing, check the api logs.' },
};

/** Reads and removes `?sso_error=…` from the address, so a reload does not show it again. */
function takeSingleSignOnFailure(): UserError | null {
  const params = new URLSearchParams(location.search);
  const code = params.get('sso_error');
  if (code === null) return null;
  history.replaceState(history.state, '', `${location.pathname}${location.hash}`);
  return singleSignOnFailures[code] ?? singleSignOnFailures.internal!;
}

/**
 * Who this tab is signed in as: a console session (the api's HttpOnly cookie, which no script
 * can read, plus its CSRF token kept here in memory and fetched again at reload) or an API
 * token (sessionStorage: gone when the tab closes).
 */
class Session {
  token = $state<string | null>(readToken());
  csrfToken = $state<string | null>(null);
  user = $state<SessionUser | null>(null);
  /** True until the cookie session has been looked up at page load. */
  restoring = $state(true);
  providers = $state<SignInProviders | null>(null);
  /** How the tab was signed in before its last sign-out: the sign-in page opens the token form for a token. */
  endedKind = $state<'token' | 'session' | null>(null);
  /** Why the last session ended, or why a sign-in failed, shown on the sign-in screen. */
  notice = $state<UserError | null>(takeSingleSignOnFailure());

  get signedIn(): boolean {
    return this.token !== null || this.csrfToken !== null;
  }

  /** At page load: the cookie session, if there is one, and how this Kipper lets people sign in. */
  async restore(): Promise<void> {
    try {
      const [current, providers] = await Promise.all([this.token ? null : sessionApi.current(), sessionApi.providers().catch(() => null)]);
      this.providers = providers;
      if (current) this.started(current);
    } catch (e) {
      this.notice ??= toUserError(e);
    } finally {
      this.restoring = false;
    }
  }

  started(current: ConsoleSession): void {
    this.notice = null;
    this.user = current.user;
    this.csrfToken = current.csrfToken;
  }

  signIn(token: string): void {
    sessionStorage.setItem(KEY, token);
    this.notice = null;
    this.token = token;
  }

  /** Ends the cookie session at the api too, unless it is already over (`notice` says why). */
  async signOut(notice: UserError | null = null): Promise<void> {
    const csrf = this.csrfToken;
    this.forget(notice);
    if (csrf && !notice) await sessionApi.signOut(csrf).catch((e: unknown) => (this.notice = toUserError(e)));
  }

  private forget(notice: UserError | null): void {
    this.endedKind = this.token ? 'token' : 'session';
    sessionStorage.removeItem(KEY);
    this.notice = notice;
    this.token = null;
    this.csrfToken = null;
    this.user = null;
  }
}

export const session = new Session();

onUnauthenticated((error) => {
  if (session.signedIn) void session.signOut(error);
});
