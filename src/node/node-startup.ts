/**
 * Bringing a node up: settle who the authority is (writing the genesis on a
 * new log), catch the read models up with the store, and start sealing and
 * federation. A store that cannot be reached at start does not stop the
 * node: it serves 503 NOT_READY and retries with backoff until the store
 * answers. Anything else that fails is fatal, and said so.
 */

import { StoreUnavailableError } from '../infrastructure/eventstore/port.js';
import { type LogAuthority, settleAuthority } from './log-authority.js';
import type { NodeParts } from './node-parts.js';

/** The node was closed while it was still waiting for its store. */
export class NodeClosedError extends Error {
  constructor() {
    super('the node closed before it reached its event store');
    this.name = 'NodeClosedError';
  }
}

/** Retry delays while the store is unreachable at start: doubling from the first to the last. */
const STARTUP_RETRY_FIRST_MS = 1000;
const STARTUP_RETRY_MAX_MS = 30_000;
/** A first catch-up can replay a long log. */
const CATCH_UP_TIMEOUT_MS = 10 * 60_000;

export class NodeStartup {
  /** Null once the node serves; otherwise why not. */
  private waitingFor: string | null = 'starting';
  private fatalError: Error | null = null;
  private known: LogAuthority | null = null;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private wakeRetry: (() => void) | null = null;

  constructor(
    private readonly parts: NodeParts,
    private readonly options: { readonly rebuild: boolean; readonly notice?: (line: string) => void },
  ) {}

  /** Why the node does not serve yet (a retried store, a fatal error), or null once it does. */
  problem(): string | null {
    if (this.fatalError !== null) return `start-up failed: ${this.fatalError.message}`;
    return this.waitingFor === null ? null : `${this.waitingFor}; retrying`;
  }

  get serving(): boolean {
    return this.waitingFor === null && this.fatalError === null;
  }

  get waiting(): string | null {
    return this.waitingFor;
  }

  get fatal(): Error | null {
    return this.fatalError;
  }

  authority(): LogAuthority | null {
    return this.known;
  }

  /** Settles who the authority is; a mirror founds nothing and waits for the log's own genesis. */
  readonly settle = async (): Promise<void> => {
    const { parts } = this;
    if (parts.mirror && (await parts.store.readAll({ maxCount: 1 })).length === 0) return;
    this.known = await settleAuthority(parts.store, parts.init, new Date(parts.clock()));
  };

  /**
   * The first attempt, at start. An unreachable store is waited out (the node serves 503 meanwhile);
   * anything else throws, as does any failure of a rebuild, which is a one-shot command.
   */
  async first(): Promise<void> {
    try {
      await this.bringUp();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || this.options.rebuild) throw error;
      this.waitingFor = `event store unreachable: ${error.message}`;
    }
  }

  /** Resolves once the node serves: at once when the first attempt did, after retries otherwise. */
  untilServing(): Promise<void> {
    return this.waitingFor === null ? Promise.resolve() : this.retry();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
  }

  private async bringUp(): Promise<void> {
    const { parts } = this;
    const rebuild = this.options.rebuild;
    if (!rebuild) await this.settle();
    // A retry still on its way when the node closes must not start anything.
    if (this.closed) return;
    parts.projector.start();
    const last = await parts.store.lastPosition();
    if (this.closed) return;
    if (last !== null) await parts.projector.waitFor(last, CATCH_UP_TIMEOUT_MS);
    if (!rebuild && !this.closed && !parts.mirror) parts.sealer.start();
    if (!rebuild && !this.closed) parts.federation.start();
    this.waitingFor = null;
  }

  private async retry(): Promise<void> {
    for (let delay = STARTUP_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, STARTUP_RETRY_MAX_MS)) {
      await new Promise<void>((resolveWait) => {
        this.wakeRetry = resolveWait;
        this.retryTimer = setTimeout(resolveWait, delay);
      });
      if (this.closed) throw new NodeClosedError();
      try {
        await this.bringUp();
        if (this.closed) throw new NodeClosedError();
        this.reportReached();
        return;
      } catch (error) {
        if (this.closed) throw new NodeClosedError();
        if (error instanceof StoreUnavailableError) {
          this.waitingFor = `event store unreachable: ${error.message}`;
          continue;
        }
        this.fatalError = error instanceof Error ? error : new Error(String(error));
        this.options.notice?.(`start-up failed: ${this.fatalError.message}`);
        throw this.fatalError;
      }
    }
  }

  private reportReached(): void {
    const known = this.known;
    this.options.notice?.(
      `event store reached; caught up at position ${this.parts.projector.position ?? 'none'}` +
        (known === null ? '' : `; authority ${known.id} (key ${known.keyId})`),
    );
  }
}
