import type { BlobDraft } from '../../infrastructure/blobs/blob-store.js';

/** Writes to the temporary blob go out in pieces of this size. */
const WRITE_BYTES = 1024 * 1024;

/** Writes to the draft in pieces of WRITE_BYTES, one write in flight while the next piece fills. */
export class DraftWriter {
  private piece = Buffer.allocUnsafeSlow(WRITE_BYTES);
  private used = 0;
  private inflight: Promise<unknown> | null = null;

  constructor(private readonly draft: BlobDraft) {}

  async write(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, WRITE_BYTES - this.used);
      chunk.copy(this.piece, this.used, at, at + n);
      this.used += n;
      at += n;
      if (this.used === WRITE_BYTES) await this.flush();
    }
  }

  /** Starts writing what is buffered once the previous write is done; throws that write's error. */
  async flush(): Promise<void> {
    await this.wait();
    if (this.used === 0) return;
    const out = this.piece.subarray(0, this.used);
    this.piece = Buffer.allocUnsafeSlow(WRITE_BYTES);
    this.used = 0;
    // Caught at once and rethrown on the next wait, so a failed write is never an unhandled rejection.
    this.inflight = this.draft.write(out).then(
      () => null,
      (error: unknown) => ({ error }),
    );
  }

  async wait(): Promise<void> {
    const previous = await this.inflight;
    this.inflight = null;
    if (previous !== null && typeof previous === 'object' && 'error' in previous) throw previous.error;
  }

  /** Everything written. */
  async finish(): Promise<void> {
    await this.flush();
    await this.wait();
  }
}
