/** What a signed write answers, first time and on every retry of the same command. */
export interface WriteResult {
  commandId: string;
  type: string;
  stream: string;
  /** Global position of the last event appended, or null when the command changed nothing. */
  position: string | null;
  streamRevision: string | null;
  events: string[];
  identityId?: string;
  certificationId?: string;
  /** Directory writes: the catalog entry, access request or grant the command made or changed. */
  entryId?: string;
  requestId?: string;
  grantId?: string;
  proofUrl?: string;
  replayed: boolean;
  /** With `?wait=sealed`: the entry's leaf index in the log. */
  leafIndex?: number;
  /** With `?wait=sealed`: the first signed checkpoint whose tree contains the entry. */
  checkpoint?: { treeSize: number; note: string };
  /** With `?wait=sealed` on a certification write: the proof bundle v1 under that checkpoint. */
  proofBundle?: unknown;
}
