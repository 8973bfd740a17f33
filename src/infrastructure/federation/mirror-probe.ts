/**
 * A primary's view of its mirrors' replication: every witness of the trust
 * policy that has a URL is, on a Chancery mirror-witness, the mirror's own
 * base URL, so the primary asks each one's public GET /v1/operations, every
 * interval, how many entries it has replayed and verified.
 *
 * Why poll rather than read it off the cosigning: a tlog-witness answer
 * carries a cosignature (or, on 409, the size the witness last cosigned),
 * never the size its replica reached, and it comes only when the log has a
 * checkpoint to cosign. Carrying more in it would change the C2SP protocol
 * other witnesses speak. The mirror's read API already states the size it
 * verified, at any time, so reading it adds nothing to the protocol. A witness
 * that is no Chancery mirror (a third-party witness) answers something else
 * and is reported as such, never guessed at.
 */

/** A mirror's answer is a few KB; anything larger is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface ProbedMirror {
  readonly name: string;
  readonly url: string;
}

export interface MirrorSighting extends ProbedMirror {
  /** Entries the mirror says it replayed and verified, from its last good answer; null before one. */
  readonly replicatedSize: number | null;
  /** When that answer came (RFC 3339). */
  readonly checkedAt: string | null;
  /** Why the last probe failed, or null after one that succeeded. */
  readonly error: string | null;
}

export interface MirrorProbeOptions {
  readonly mirrors: readonly ProbedMirror[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** The replicated size in a /v1/operations answer of a mirror, or why there is none. */
export function replicatedSizeOf(body: unknown): number | string {
  const answer = body as { role?: unknown; mirror?: { replicatedSize?: unknown } | null } | null;
  if (answer?.role !== 'mirror') return 'not a Chancery mirror (its /v1/operations names no mirror role)';
  const size = answer.mirror?.replicatedSize;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0
    ? size
    : 'malformed /v1/operations: mirror.replicatedSize is not a size';
}

export class MirrorProbe {
  private readonly sightings: Map<string, MirrorSighting>;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: MirrorProbeOptions) {
    this.fetch = options.fetch ?? fetch;
    this.sightings = new Map(
      options.mirrors.map((m) => [m.name, { ...m, replicatedSize: null, checkedAt: null, error: null }]),
    );
  }

  start(): void {
    if (this.timer !== null) return;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  status(): readonly MirrorSighting[] {
    return [...this.sightings.values()];
  }

  /** One round: every mirror at once; a round still running when the next is due is not doubled. */
  async probeAll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await Promise.all(this.options.mirrors.map((m) => this.probe(m)));
    } finally {
      this.busy = false;
    }
  }

  private async probe(mirror: ProbedMirror): Promise<void> {
    const before = this.sightings.get(mirror.name)!;
    let outcome: number | string;
    try {
      outcome = await this.ask(mirror.url);
    } catch (error) {
      // undici says "fetch failed" and puts the reason (ECONNREFUSED, a timeout...) in its cause.
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
        .cause;
      outcome = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    }
    this.sightings.set(
      mirror.name,
      typeof outcome === 'number'
        ? { ...mirror, replicatedSize: outcome, checkedAt: new Date().toISOString(), error: null }
        : { ...before, error: outcome },
    );
  }

  private async ask(url: string): Promise<number | string> {
    const response = await this.fetch(`${url}/v1/operations`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
      await response.body?.cancel();
      return 'GET /v1/operations: answer too large';
    }
    const text = await response.text();
    if (!response.ok) return `GET /v1/operations: HTTP ${response.status}`;
    try {
      return replicatedSizeOf(JSON.parse(text));
    } catch {
      return 'GET /v1/operations: not JSON';
    }
  }
}
