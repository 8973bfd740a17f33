import { derivedId } from '../crypto/derived-id.js';

/**
 * The id of a certification is derived from who asked and their command id, so
 * a retried command lands on the same stream and cannot certify twice. 120 bits
 * in lowercase base32: short enough to read out over the phone, long enough that
 * ids cannot be guessed from one another.
 */
export function certificationIdFor(actor: string, commandId: string): string {
  return derivedId('crt_', `chancery/certification\n${actor}\n${commandId}`);
}

export const CERTIFICATION_ID_PATTERN = '^crt_[a-z2-7]{24}$';

/** The id of a bulk certification (a batch), derived like a certification's from who asked and the command id. */
export function batchIdFor(actor: string, commandId: string): string {
  return derivedId('bat_', `chancery/batch\n${actor}\n${commandId}`);
}

export const BATCH_ID_PATTERN = '^bat_[a-z2-7]{24}$';

/**
 * The certification id of record `index` (0-based, the order of the signed
 * batch tree) of a batch. Every record of a batch gets its own id, proof URL
 * and status stream, and anyone holding the batch id can recompute them: the
 * CLI writes them into its receipts without asking the node. The domain
 * prefix keeps them apart from the ids certificationIdFor derives.
 */
export function batchRecordIdFor(
  batchId: string,
  index: number,
  /** SHA-256 to use (default @noble/hashes); the node's projection of a million-record batch passes node:crypto's. */
  digest?: (bytes: Uint8Array) => Uint8Array,
): string {
  return derivedId('crt_', `chancery/batch-record\n${batchId}\n${index}`, digest);
}
