import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const DIGEST = /^[0-9a-f]{64}$/;

/** A temporary blob being written; commit or discard it exactly once. */
export interface BlobDraft {
  readonly path: string;
  write(chunk: Uint8Array): Promise<void>;
  /** fsyncs the bytes, then moves them to their content address. */
  commit(digestHex: string): Promise<void>;
  /** Removes the temporary file; safe to call after a failed commit or twice. */
  discard(): Promise<void>;
}

/**
 * Dataset payloads, content-addressed by SHA-256 under
 * `blobs/sha256/ab/cdef…` (the first byte as a folder keeps folders small).
 * Writers stream into `blobs/tmp/`, fsync, then rename: a blob at its address
 * is always complete, and a crash leaves only temporary files, which the next
 * start removes. Identical uploads share one file.
 */
export class BlobStore {
  readonly tmpDir: string;
  readonly objectsDir: string;

  constructor(readonly dir: string) {
    this.tmpDir = join(dir, 'tmp');
    this.objectsDir = join(dir, 'sha256');
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.objectsDir, { recursive: true, mode: 0o700 });
  }

  /** Removes what interrupted uploads left behind; call once at start-up, before serving. */
  sweepTemporaryFiles(): number {
    const names = readdirSync(this.tmpDir);
    for (const name of names) rmSync(join(this.tmpDir, name), { force: true });
    return names.length;
  }

  pathOf(digestHex: string): string {
    if (!DIGEST.test(digestHex)) throw new RangeError('a blob address is 64 lower-case hex characters');
    return join(this.objectsDir, digestHex.slice(0, 2), digestHex.slice(2));
  }

  has(digestHex: string): boolean {
    return existsSync(this.pathOf(digestHex));
  }

  size(digestHex: string): number {
    return statSync(this.pathOf(digestHex)).size;
  }

  read(digestHex: string): Readable {
    return createReadStream(this.pathOf(digestHex));
  }

  /** Number of files under tmp/ (tests check that failed uploads leave none). */
  temporaryFiles(): string[] {
    return readdirSync(this.tmpDir);
  }

  async draft(): Promise<BlobDraft> {
    const path = join(this.tmpDir, `${randomUUID()}.part`);
    let handle: FileHandle | null = await open(path, 'wx', 0o600);
    let done = false;
    const close = async () => {
      const h = handle;
      handle = null;
      if (h !== null) await h.close();
    };
    return {
      path,
      write: async (chunk) => {
        if (handle === null) throw new Error('blob draft is closed');
        let offset = 0;
        // FileHandle.write may write less than asked; loop until the chunk is down.
        while (offset < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
          offset += bytesWritten;
        }
      },
      commit: async (digestHex) => {
        if (done) throw new Error('blob draft already finished');
        done = true;
        const target = this.pathOf(digestHex);
        await handle?.sync();
        await close();
        if (existsSync(target)) {
          await rm(path, { force: true });
          return;
        }
        const folder = join(this.objectsDir, digestHex.slice(0, 2));
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        await rename(path, target);
        // The rename is durable only once the folder holding the new name is synced.
        const dirHandle = await open(folder, 'r');
        try {
          await dirHandle.sync();
        } finally {
          await dirHandle.close();
        }
      },
      discard: async () => {
        done = true;
        await close().catch(() => undefined);
        await rm(path, { force: true });
      },
    };
  }
}
