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
 *
 * A third-party C2SP witness serves only the witness API, so it answers 404.
 * That is what it is, not a fault: such a witness is not listed as a mirror,
 * and it is asked again only after a long pause (in case a mirror takes its
 * place), rather than every interval, forever. A witness that has answered as
 * a mirror before is still reported when it answers 404: that is a fault.
 */

/** A mirror's answer is a few KB; anything larger is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** How long a witness that does not serve /v1/operations is left alone before it is asked again. */
export const NOT_SERVED_RECHECK_MS = 60 * 60_000;

/** What a witness without /v1/operations answers. */
const NOT_SERVED = Symbol('not served');

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
  /** NOT_SERVED_RECHECK_MS unless given. */
  readonly notServedRecheckMs?: number;
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
  /** Witnesses that answered 404 and never as a mirror, by name: when (performance.now()) to ask again. */
  private readonly notServed = new Map<string, number>();

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

  /** The mirrors, and the witnesses not known yet to be anything else. */
  status(): readonly MirrorSighting[] {
    return [...this.sightings.values()].filter((s) => !this.notServed.has(s.name));
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
    const askAgainAt = this.notServed.get(mirror.name);
    if (askAgainAt !== undefined && performance.now() < askAgainAt) return;
    let outcome: number | string | typeof NOT_SERVED;
    try {
      outcome = await this.ask(mirror.url);
    } catch (error) {
      // undici says "fetch failed" and puts the reason (ECONNREFUSED, a timeout...) in its cause.
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
        .cause;
      outcome = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    }
    // Until it answers as a mirror, a witness without /v1/operations stays one, whatever a recheck met.
    const stillNotServed = this.notServed.has(mirror.name) && typeof outcome !== 'number';
    if (stillNotServed || (outcome === NOT_SERVED && before.replicatedSize === null)) {
      this.notServed.set(
        mirror.name,
        performance.now() + (this.options.notServedRecheckMs ?? NOT_SERVED_RECHECK_MS),
      );
      return;
    }
    this.notServed.delete(mirror.name);
    if (outcome === NOT_SERVED) outcome = 'GET /v1/operations: HTTP 404';
    this.sightings.set(
      mirror.name,
      typeof outcome === 'number'
        ? { ...mirror, replicatedSize: outcome, checkedAt: new Date().toISOString(), error: null }
        : { ...before, error: outcome },
    );
  }

  private async ask(url: string): Promise<number | string | typeof NOT_SERVED> {
    const response = await this.fetch(`${url}/v1/operations`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
      await response.body?.cancel();
      return 'GET /v1/operations: answer too large';
    }
    const text = await response.text();
    if (response.status === 404) return NOT_SERVED;
    if (!response.ok) return `GET /v1/operations: HTTP ${response.status}`;
    try {
      return replicatedSizeOf(JSON.parse(text));
    } catch {
      return 'GET /v1/operations: not JSON';
    }
  }
}
