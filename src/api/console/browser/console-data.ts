/**
 * What the console reads, all from this node's public read API (same origin,
 * no credentials): the operator view, federation status, the log head and its
 * entries. Entries are kept in memory from the newest CAP backwards.
 */

import type { OperationsStatus } from '../../../protocol/operations-status.js';

export interface Entry {
  readonly leafIndex: number;
  readonly leaf: {
    readonly type: string;
    readonly stream: string;
    readonly data: Record<string, unknown>;
    readonly envelope: { payload?: { actor?: string; issuedAt?: string } } | null;
  };
}

export interface Cosigner {
  readonly name: string;
  readonly cosigned: boolean;
  readonly timestamp: number | null;
}

export interface FederationView {
  readonly checkpoint: { treeSize: number; final: boolean; cosigners: Cosigner[] } | null;
  readonly policy: { quorum: string; witnesses: { name: string; url: string | null }[] } | null;
}

export interface Snapshot {
  readonly at: number;
  readonly operations: OperationsStatus;
  readonly federation: FederationView;
}

/** Entries kept for the views: enough for a working day of a province, bounded for a phone. */
const CAP = 5000;
const PAGE = 256;

async function json<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function snapshot(): Promise<Snapshot> {
  const [operations, federation] = await Promise.all([
    json<OperationsStatus>('/v1/operations'),
    json<FederationView>('/v1/federation/status'),
  ]);
  return { at: Date.now(), operations, federation };
}

export class EntryCache {
  readonly entries: Entry[] = [];
  private next = -1;

  /** Reads entries up to `size`, newest CAP only; returns how many arrived. */
  async extend(size: number): Promise<number> {
    if (this.next < 0) this.next = Math.max(0, size - CAP);
    let arrived = 0;
    while (this.next < size) {
      const page = await json<{ entries: Entry[] }>(
        `/v1/log/entries?start=${this.next}&end=${size}&limit=${PAGE}`,
      );
      if (page.entries.length === 0) break;
      this.entries.push(...page.entries);
      this.next += page.entries.length;
      arrived += page.entries.length;
    }
    if (this.entries.length > CAP) this.entries.splice(0, this.entries.length - CAP);
    return arrived;
  }
}

export function actorOf(entry: Entry): string {
  return entry.leaf.envelope?.payload?.actor ?? '-';
}

export function timeOf(entry: Entry): string {
  return entry.leaf.envelope?.payload?.issuedAt ?? '-';
}

/** Authority actions: what `chancery audit` lists too. */
export function isAuthorityAction(entry: Entry): boolean {
  return /^Identity(Registered|Accredited|KeyRotated|Revoked)$/.test(entry.leaf.type);
}

export const DIRECTORY_TYPES =
  /^(CatalogEntry(Published|Updated|Withdrawn)|CatalogDescribed|DatasetVersionPublished|DatasetFetched|Access(Requested|Granted|Denied|Revoked))$/;
