/**
 * What `GET /v1/operations/certifications` answers: certifications over time,
 * counted per time bucket by record type, by issuer and by status change,
 * each dimension bounded to its `top` keys (by total in the window) plus
 * "other". Shared by the node and the console's Registry view.
 */

export const BUCKET_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;
export type BucketName = keyof typeof BUCKET_SECONDS;

/** The key the keys beyond the top N are folded into. */
export const OTHER_KEY = '(other)';

export interface CountSeries {
  readonly key: string;
  /** Total in the window. */
  readonly total: number;
  /** One count per bucket, aligned with `buckets`. */
  readonly counts: readonly number[];
}

export interface CertificationSeries {
  readonly bucket: BucketName;
  readonly bucketSeconds: number;
  /** Unix time (s) each bucket starts at, oldest first; the last one holds now. */
  readonly buckets: readonly number[];
  /** Certified (single records and every record of a batch) by record type. */
  readonly byType: readonly CountSeries[];
  /** Certified by issuer. */
  readonly byIssuer: readonly CountSeries[];
  /** Status changes: certified, suspended, reinstated, revoked. */
  readonly byStatus: readonly CountSeries[];
}
