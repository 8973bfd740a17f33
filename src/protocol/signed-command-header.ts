/**
 * The header a streamed bulk certification (POST /v1/certifications/batches/stream)
 * carries its signed CertifyBatch command in, so the node can check who sends
 * the digest list before it reads it: base64url (RFC 4648 §5, no padding) of
 * the envelope's JSON { payload, signature }, at most MAX_SIGNED_COMMAND_CHARS.
 */
export const SIGNED_COMMAND_HEADER = 'chancery-signed-command';

/** Characters of base64url at most: about 9 KB of envelope, beside the other headers under 16 KiB. */
export const MAX_SIGNED_COMMAND_CHARS = 12 * 1024;
