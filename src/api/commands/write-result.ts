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
  proofUrl?: string;
  replayed: boolean;
}
