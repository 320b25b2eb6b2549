/** State of the subscription socket, for the "Reconnecting…" banner. */
class Connection {
  /** True while the socket is down and subscriptions wait for it to come back. */
  reconnecting = $state(false);
  /** Set when the socket was refused for good (e.g. the token was revoked). */
  failed = $state<string | null>(null);
  private readonly listeners = new Set<() => void>();

  /** Runs after the socket came back, so that views refetch what they missed. */
  onReconnected(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reconnected(): void {
    this.reconnecting = false;
    this.failed = null;
    for (const listener of this.listeners) listener();
  }
}

export const connection = new Connection();
