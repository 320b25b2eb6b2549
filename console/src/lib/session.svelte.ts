import { onUnauthenticated, type UserError } from './errors';

const KEY = 'kipper.token';

function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** The API token of this browser tab (sessionStorage: gone when the tab closes). */
class Session {
  token = $state<string | null>(readToken());
  /** Why the last session ended, shown on the sign-in screen. */
  notice = $state<UserError | null>(null);

  signIn(token: string): void {
    sessionStorage.setItem(KEY, token);
    this.notice = null;
    this.token = token;
  }

  signOut(notice: UserError | null = null): void {
    sessionStorage.removeItem(KEY);
    this.notice = notice;
    this.token = null;
  }
}

export const session = new Session();

onUnauthenticated((error) => {
  if (session.token) session.signOut(error);
});
