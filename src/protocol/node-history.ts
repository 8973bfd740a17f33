/**
 * What `GET /v1/operations/history` answers: per node this node knows (itself,
 * each witness and mirror of its trust policy), samples of its state taken at
 * a fixed interval and kept in a fixed-size ring. Columns, oldest first, so a
 * chart takes them as they are; null where a value was unknown then.
 */

export const HISTORY_FIELDS = [
  /** 1 up (ready, or answering), 0 down. */
  'up',
  /** Its log size: the node's own, or the size a mirror verified (else the size a witness cosigned). */
  'logSize',
  /** Replication lag of a mirror, in entries. */
  'lag',
  /** This node's log size minus the size the witness last cosigned. */
  'cosignedLag',
  /** Unix time (seconds) of the witness's last cosignature. */
  'lastCosignatureAt',
  /** Latency of the witness's last cosignature, in ms. */
  'cosignLatencyMs',
] as const;

export type HistoryField = (typeof HISTORY_FIELDS)[number];

export type HistoryColumns = { readonly t: readonly number[] } & {
  readonly [F in HistoryField]: readonly (number | null)[];
};

export interface NodeHistorySeries {
  readonly name: string;
  readonly role: 'self' | 'witness' | 'mirror-witness';
  readonly samples: HistoryColumns;
}

export interface NodeHistoryView {
  /** Seconds between samples. */
  readonly intervalSeconds: number;
  /** Samples kept per node: the ring's size. */
  readonly capacity: number;
  readonly nodes: readonly NodeHistorySeries[];
}
