import pg from 'pg';

/**
 * The one connection a node appends through. Group commit runs one batch at
 * a time, so one is all it can use; it is kept here rather than in a pg.Pool
 * for the way it is thrown away. After a failure the connection's state is
 * unknown (mid-transaction, cut, or stuck in a COMMIT that waits for a
 * synchronous standby), so it is never reused: it is dropped at once and the
 * next batch connects afresh. A pool would wait for the old connection's
 * orderly end first, and a backend stuck in COMMIT does not answer one: every
 * later append would wait behind it.
 */
export class WriterConnection {
  #client: Promise<pg.Client> | null = null;
  #closed = false;

  constructor(private readonly config: pg.ClientConfig) {}

  /** The open connection, or a new one. */
  acquire(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('the writer connection is closed'));
    this.#client ??= this.#connect().catch((error: unknown) => {
      this.#client = null;
      throw error;
    });
    return this.#client;
  }

  /** Drops `client` without waiting for the server: the next acquire() connects again. */
  discard(client: pg.Client): void {
    void this.#forget(client);
    client.end().catch(() => undefined);
    // end() sends Terminate and waits for the server to close; a stuck backend never does. Close our side now.
    (client as unknown as { connection?: { stream?: { destroy?(): void } } }).connection?.stream?.destroy?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => null);
    this.#client = null;
    if (client) await client.end().catch(() => undefined);
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    // A socket error between batches must not escape as an uncaught exception; the next batch fails and reconnects.
    client.on('error', () => void this.#forget(client));
    client.on('end', () => void this.#forget(client));
    try {
      await client.connect();
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  async #forget(client: pg.Client): Promise<void> {
    const current = this.#client;
    if (current === null) return;
    if ((await current.catch(() => null)) === client && this.#client === current) this.#client = null;
  }
}
