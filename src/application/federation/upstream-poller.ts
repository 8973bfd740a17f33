/**
 * The mirror's loop: one round after another against the current upstream,
 * waiting the poll interval after a round that brought nothing new. An
 * upstream that fails (unreachable, behind, broken) is failed over to the
 * next URL at once; once every URL has failed in a row, the wait backs off
 * exponentially. A MirrorHalt ends the loop for good.
 */

import type { UpstreamClient } from '../../infrastructure/federation/upstream-client.js';
import { MirrorHalt } from './mirror-halt.js';

const DEFAULT_POLL_MS = 200;
const BACKOFF_MAX_MS = 5000;

export interface UpstreamPollerOptions {
  /** The upstreams, tried in order, failing over. */
  readonly upstreams: readonly UpstreamClient[];
  readonly pollIntervalMs?: number;
  /** One round against an upstream; true when it made progress (the next round then starts at once). */
  readonly round: (upstream: UpstreamClient) => Promise<boolean>;
  /** A round halted: the loop has ended. */
  readonly onHalt: (halt: MirrorHalt) => void;
  readonly notice?: (line: string) => void;
}

export class UpstreamPoller {
  private current = 0;
  private isStopped = true;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private error: string | null = null;
  private syncedAt: string | null = null;

  constructor(private readonly options: UpstreamPollerOptions) {}

  /** The upstream rounds go to now. */
  get upstream(): UpstreamClient {
    const { upstreams } = this.options;
    return upstreams[this.current % upstreams.length]!;
  }

  /** True before start and once stop was called: a round in progress should end soon. */
  get stopped(): boolean {
    return this.isStopped;
  }

  /** The last failure, `URL: reason`, or null after a round that succeeded. */
  get lastError(): string | null {
    return this.error;
  }

  /** When a round last succeeded (ISO 8601), or null. */
  get lastSyncAt(): string | null {
    return this.syncedAt;
  }

  start(): void {
    if (!this.isStopped) return;
    this.isStopped = false;
    this.running = this.loop();
  }

  /** Ends the wait between rounds: something (a checkpoint to witness) says upstream has news. */
  pollNow(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.isStopped) {
      let progressed = false;
      try {
        progressed = await this.options.round(this.upstream);
        this.failures = 0;
        this.error = null;
        this.syncedAt = new Date().toISOString();
      } catch (error) {
        if (error instanceof MirrorHalt) {
          this.options.onHalt(error);
          return;
        }
        if (this.isStopped) return;
        this.failOver(error);
      }
      if (this.isStopped) return;
      if (!progressed) await this.sleep(this.delay());
    }
  }

  private failOver(error: unknown): void {
    this.failures++;
    const message = error instanceof Error ? error.message : String(error);
    const from = this.upstream.url;
    // Fail over: the next URL may be a healthy replica of the same log.
    this.current++;
    if (this.error !== message)
      this.options.notice?.(`mirror: upstream ${from}: ${message}; trying ${this.upstream.url}`);
    this.error = `${from}: ${message}`;
  }

  private delay(): number {
    const poll = this.options.pollIntervalMs ?? DEFAULT_POLL_MS;
    const upstreams = this.options.upstreams.length;
    if (this.failures === 0) return poll;
    // All upstreams failing: back off, but a failover to the next URL is tried promptly.
    return this.failures < upstreams
      ? poll
      : Math.min(BACKOFF_MAX_MS, poll * 2 ** Math.min(10, this.failures - upstreams + 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
