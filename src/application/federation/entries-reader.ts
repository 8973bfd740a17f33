/**
 * The mirror's reader over the JSON read API, for upstreams that predate
 * tlog-tiles (CHANCERY_MIRROR_SYNC=entries): pages of /v1/log/entries and
 * upstream's consistency proofs. Each page is checked before it is returned:
 * the mirror's tree extended by the page (a TreeOverlay) must have the signed
 * root when the page ends at the checkpoint, else be consistent with it by
 * upstream's proof from the page's end.
 */

import type { UpstreamClient } from '../../infrastructure/federation/upstream-client.js';
import type { UpstreamEntry } from '../replay/entry-replay.js';
import type { UpstreamReader } from './upstream-reader.js';
import type { UpstreamCheckpoint, UpstreamVerifier } from './upstream-verifier.js';

export class EntriesReader implements UpstreamReader {
  requests = 0;

  constructor(
    private readonly client: UpstreamClient,
    private readonly verifier: UpstreamVerifier,
    private readonly upstream: UpstreamCheckpoint,
  ) {}

  consistencyProof(oldSize: number): Promise<Uint8Array[]> {
    this.requests++;
    return this.client.consistencyProof(oldSize, this.upstream.checkpoint.treeSize);
  }

  async page(start: number, unapplied: readonly UpstreamEntry[]): Promise<UpstreamEntry[]> {
    const { treeSize } = this.upstream.checkpoint;
    this.requests++;
    const entries = await this.client.entries(start, treeSize);
    const end = start + entries.length;
    const root = this.verifier.rootWith([...unapplied, ...entries], end);
    if (end === treeSize) this.verifier.pageAtCheckpoint(root, start, this.upstream);
    if (end < treeSize) {
      this.requests++;
      const proof = await this.client.consistencyProof(end, treeSize);
      this.verifier.pagePrefix(root, end, this.upstream, proof);
    }
    return entries;
  }
}
