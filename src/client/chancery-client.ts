import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { encodeBase64Url } from '../domain/crypto/base64.js';
import type { SignedEnvelope } from '../domain/crypto/envelope.js';
import type { JsonValue } from '../domain/shared/json.js';
import type { NodeStatus } from '../protocol/node-status.js';
import type { OperationsStatus } from '../protocol/operations-status.js';
import { type Signer, type SignOptions, signCommand } from '../protocol/sign-command.js';
import { MAX_SIGNED_COMMAND_CHARS, SIGNED_COMMAND_HEADER } from '../protocol/signed-command-header.js';
import type { WriteResult } from '../protocol/write-result.js';

/** RFC 9457 body as the server sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  /** `record`: the failing record's number in an upload (RECORDS_INVALID), from 1. */
  errors?: { pointer: string; message: string; record?: number }[];
  [extension: string]: unknown;
}

/** A refusal from the node, carrying its problem details. */
export class ChanceryProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'ChanceryProblemError';
  }
}

export type { NodeStatus } from '../protocol/node-status.js';
// The wire shapes are the server's own types, so client and API cannot drift apart.
export type { WriteResult } from '../protocol/write-result.js';

export interface KeyView {
  keyId: string;
  publicKey: string;
  activeFrom: string;
  retiredAt: string | null;
}

export interface IdentityView {
  identityId: string;
  name: string;
  organisationCode: string;
  parentId: string | null;
  roles: string[];
  accreditations: string[];
  status: 'active' | 'revoked';
  registeredAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  keys: KeyView[];
  position: string;
}

export interface CertificationView {
  certificationId: string;
  issuerId: string;
  recordDigest: string;
  recordType: string;
  subjectRef: string | null;
  validFrom: string;
  validUntil: string | null;
  metadata: Record<string, string | number | boolean> | null;
  status: 'active' | 'suspended' | 'revoked';
  certifiedAt: string;
  keyId: string;
  statusHistory: { status: string; reason: string | null; at: string; by: string; position: string }[];
  position: string;
  proofUrl: string;
  /** Only for a record certified in a batch. */
  batch?: { batchId: string; index: number };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** GET /v1/log. */
export interface LogInfo {
  origin: string;
  verifierKey: string;
  treeSize: number;
  rootHash: string | null;
  sequencedSize: number;
  checkpoint: string | null;
}

export interface LogEntryView {
  leafIndex: number;
  position: string;
  leaf: { type: string; stream: string; data: unknown; envelope: unknown };
  leafHash: string;
}

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  checkpoint: string | null;
}

/** POST /v1/certifications/batches: record i's proof URL is proofUrlBase + batchRecordIdFor(batchId, i). */
export interface BatchWriteResult extends Omit<WriteResult, 'identityId' | 'certificationId' | 'proofUrl'> {
  batchId: string;
  count: number;
  batchRoot: string;
  proofUrlBase: string;
}

export interface CertifyBatchInput {
  recordType: string;
  validFrom: string;
  validUntil?: string | null;
  metadata?: Record<string, string | number | boolean> | null;
  /** Lower-case hex RFC 6962 root over SHA-256(0x00 ‖ digest) of each record, in `digests` order. */
  batchRoot: string;
  /** Lower-case hex SHA-256 of each record; the command signs only their root and count. */
  digests: readonly string[];
}

/** A batch streamed as raw bytes (POST /v1/certifications/batches/stream), up to 1,000,000 records. */
export interface CertifyBatchStreamInput extends Omit<CertifyBatchInput, 'digests'> {
  /** Each record's 32-byte SHA-256, end to end in batch order (count × 32 bytes). */
  packedDigests: Uint8Array;
}

export interface CertifyInput {
  recordDigest: string;
  recordType: string;
  subjectRef?: string | null;
  validFrom: string;
  validUntil?: string | null;
  metadata?: Record<string, string | number | boolean> | null;
  /** An explicit reissue of the issuer's latest certification of this record (else 409 RECORD_ALREADY_CERTIFIED). */
  reissueOf?: string;
}

/**
 * Extra time a streamed batch upload may take per record, on top of the client's limit: the node
 * answers after the append is durable and every record projected. At 1 ms a record, a million-record
 * batch may take 17 minutes, several times what a loaded node needs.
 */
export const BATCH_STREAM_MS_PER_RECORD = 1;

/**
 * The typed client for a Chancery node. It signs commands locally: the
 * private key never leaves the process. Used by the CLI, the tests and
 * integrators alike.
 */
export class ChanceryClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly signer?: Signer,
    /** Per-request time limit; a hung node must not hang its caller. */
    private readonly timeoutMs = 30_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  withSigner(signer: Signer): ChanceryClient {
    return new ChanceryClient(this.baseUrl, signer, this.timeoutMs);
  }

  sign(type: string, fields: Record<string, JsonValue | undefined>, options?: SignOptions): SignedEnvelope {
    if (this.signer === undefined) throw new Error('this client has no signer: pass one to sign commands');
    return signCommand(this.signer, type, fields, options);
  }

  registerIdentity(
    input: {
      identityId: string;
      name: string;
      roles: string[];
      publicKeys: string[];
      parentId?: string | null;
    },
    options?: SignOptions,
  ): Promise<WriteResult> {
    return this.send('POST', '/v1/identities', this.sign('RegisterIdentity', { ...input }, options));
  }

  rotateKey(
    identityId: string,
    newPublicKey: string,
    retireKeyIds?: string[],
    options?: SignOptions,
  ): Promise<WriteResult> {
    return this.send(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/rotate-key`,
      this.sign('RotateIdentityKey', { identityId, newPublicKey, retireKeyIds }, options),
    );
  }

  accredit(identityId: string, recordTypes: string[], options?: SignOptions): Promise<WriteResult> {
    return this.send(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/accredit`,
      this.sign('AccreditIdentity', { identityId, recordTypes }, options),
    );
  }

  /** Adds and removes roles of a department (authority only); an empty list is left out of the command. */
  updateRoles(
    identityId: string,
    change: { add?: string[]; remove?: string[] },
    options?: SignOptions,
  ): Promise<WriteResult> {
    const fields = {
      identityId,
      ...(change.add !== undefined && change.add.length > 0 ? { add: change.add } : {}),
      ...(change.remove !== undefined && change.remove.length > 0 ? { remove: change.remove } : {}),
    };
    return this.send(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/roles`,
      this.sign('UpdateIdentityRoles', fields, options),
    );
  }

  revokeIdentity(identityId: string, reason: string, options?: SignOptions): Promise<WriteResult> {
    return this.send(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/revoke`,
      this.sign('RevokeIdentity', { identityId, reason }, options),
    );
  }

  /**
   * Certifies a record. `wait: 'sealed'` answers once the entry is under a signed checkpoint, with the
   * proof bundle; `'final'` once the witness quorum cosigned it.
   */
  certify(input: CertifyInput, options?: SignOptions & { wait?: 'sealed' | 'final' }): Promise<WriteResult> {
    const wait = options?.wait === undefined ? '' : `?wait=${options.wait}`;
    return this.send('POST', `/v1/certifications${wait}`, this.sign('CertifyRecord', { ...input }, options));
  }

  /**
   * Signs a CertifyBatch over `batchRoot` and `digests.length`, and uploads the digest list beside it
   * (up to 15,000). The command goes in the Chancery-Signed-Command header too: the node authenticates
   * it before reading the body, and takes more than 64 KiB of body only from a sender it authenticated.
   * An envelope too large for the header (near the maximum of metadata) goes in the body alone, which
   * the node takes up to 64 KiB.
   */
  certifyBatch(input: CertifyBatchInput, options?: SignOptions): Promise<BatchWriteResult> {
    const { digests, ...fields } = input;
    const envelope = this.sign('CertifyBatch', { ...fields, count: digests.length }, options);
    const header = signedCommandHeader(envelope);
    const fits = (header[SIGNED_COMMAND_HEADER] ?? '').length <= MAX_SIGNED_COMMAND_CHARS;
    return this.send('POST', '/v1/certifications/batches', { envelope, digests }, fits ? header : {});
  }

  /**
   * Signs a CertifyBatch over `batchRoot` and `packedDigests.length / 32`, sends it in the
   * Chancery-Signed-Command header and streams the raw digests as the body: the node checks the
   * command before it reads them, and takes up to 1,000,000 records this way. `onBodySent` is called
   * once the last byte of the body is handed to the connection, while the node still checks and writes
   * the batch: a caller may use the time (certify-bulk derives the receipts' ids then).
   */
  certifyBatchStream(
    input: CertifyBatchStreamInput,
    options?: SignOptions & { onBodySent?: () => void },
  ): Promise<BatchWriteResult> {
    const { packedDigests, ...fields } = input;
    if (packedDigests.length === 0 || packedDigests.length % 32 !== 0)
      throw new RangeError(`packedDigests must be whole 32-byte digests, not ${packedDigests.length} bytes`);
    const count = packedDigests.length / 32;
    const envelope = this.sign('CertifyBatch', { ...fields, count }, options);
    // The node answers once the whole batch is durable and projected: the time limit grows with the count.
    const timeoutMs = this.timeoutMs + count * BATCH_STREAM_MS_PER_RECORD;
    return this.sendBytes(
      '/v1/certifications/batches/stream',
      packedDigests,
      timeoutMs,
      signedCommandHeader(envelope),
      options?.onBodySent,
    );
  }

  changeStatus(
    action: 'suspend' | 'reinstate' | 'revoke',
    certificationId: string,
    reason: string,
    options?: SignOptions,
  ): Promise<WriteResult> {
    const type = {
      suspend: 'SuspendCertification',
      reinstate: 'ReinstateCertification',
      revoke: 'RevokeCertification',
    }[action];
    return this.send(
      'POST',
      `/v1/certifications/${encodeURIComponent(certificationId)}/${action}`,
      this.sign(type, { certificationId, reason }, options),
    );
  }

  /** Sends an already signed envelope (for pre-signed batches and retries). */
  submit(path: string, envelope: SignedEnvelope): Promise<WriteResult> {
    return this.send('POST', path, envelope);
  }

  identity(identityId: string): Promise<IdentityView> {
    return this.send('GET', `/v1/identities/${encodeURIComponent(identityId)}`);
  }

  identities(options: { limit?: number; cursor?: string } = {}): Promise<Page<IdentityView>> {
    return this.send('GET', `/v1/identities${query(options)}`);
  }

  keyOwner(keyId: string): Promise<{
    keyId: string;
    identityId: string;
    publicKey: string;
    activeFrom: string;
    retiredAt: string | null;
  }> {
    return this.send('GET', `/v1/keys/${encodeURIComponent(keyId)}`);
  }

  certification(certificationId: string): Promise<CertificationView> {
    return this.send('GET', `/v1/certifications/${encodeURIComponent(certificationId)}`);
  }

  certifications(
    filter: {
      issuer?: string;
      recordDigest?: string;
      recordType?: string;
      status?: string;
      limit?: number;
      cursor?: string;
    } = {},
  ): Promise<Page<CertificationView>> {
    return this.send('GET', `/v1/certifications${query(filter)}`);
  }

  status(): Promise<NodeStatus> {
    return this.send('GET', '/v1/status');
  }

  /** The operator's view: readiness by component, finality, witnesses, mirror lag and open alerts. */
  operations(): Promise<OperationsStatus> {
    return this.send('GET', '/v1/operations');
  }

  log(): Promise<LogInfo> {
    return this.send('GET', '/v1/log');
  }

  /** Consistency proof (base64 hashes) from tree size `from` to `to` (default: the latest checkpoint). */
  logConsistency(from: number, to?: number): Promise<{ from: number; to: number; proof: string[] }> {
    return this.send('GET', `/v1/log/consistency${query({ from, to })}`);
  }

  /** One page of entries [start, end); follow `next` for the rest. */
  logEntries(start: number, end?: number): Promise<{ entries: LogEntryView[]; next: number | null }> {
    return this.send('GET', `/v1/log/entries${query({ start, end })}`);
  }

  logInclusionProof(index: number, size?: number): Promise<InclusionProofView> {
    return this.send('GET', `/v1/log/proofs/inclusion${query({ index, size })}`);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers:
        body === undefined
          ? { ...headers, accept: 'application/json' }
          : { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return this.answer<T>(response);
  }

  /**
   * POSTs raw bytes through node:http rather than fetch: fetch's undici gives up on any response whose
   * headers take longer than 300 s (headersTimeout), whatever the signal allows, and a million-record
   * batch on a loaded node may. An answer that arrives while the body is still being written (a refusal
   * before the node reads the list) is still read and returned, not lost to the write's EPIPE.
   */
  private sendBytes<T>(
    path: string,
    body: Uint8Array,
    timeoutMs: number,
    headers: Record<string, string>,
    onBodySent?: () => void,
  ): Promise<T> {
    const url = new URL(this.baseUrl + path);
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      let writeError: unknown = null;
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/octet-stream',
          'content-length': String(body.length),
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      request.on('response', (response: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(answerOf<T>(response.statusCode ?? 0, response.statusMessage ?? '', text));
          } catch (error) {
            reject(error);
          }
        });
      });
      request.on('error', (error) => {
        if (answered) return;
        // The node may have answered and closed before taking the whole body: give its answer a moment.
        writeError = error;
        setTimeout(() => {
          if (!answered) reject(writeError);
        }, 1000);
      });
      request.end(body, onBodySent);
    });
  }

  private async answer<T>(response: Response): Promise<T> {
    return answerOf<T>(response.status, response.statusText, await response.text());
  }
}

/** The parsed body of a 2xx answer; otherwise a ChanceryProblemError (the node's problem, or one made up). */
function answerOf<T>(status: number, statusText: string, text: string): T {
  const parsed: unknown = text.length === 0 ? null : safeJson(text);
  if (status < 200 || status > 299) {
    if (parsed !== null && typeof parsed === 'object' && 'code' in parsed)
      throw new ChanceryProblemError(parsed as Problem);
    throw new ChanceryProblemError({
      type: 'about:blank',
      title: statusText,
      status,
      code: 'HTTP_' + status,
      detail: text.slice(0, 500),
    });
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [string, string | number][];
  if (entries.length === 0) return '';
  return '?' + new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
}

/** The signed command as the Chancery-Signed-Command header carries it: base64url of its JSON. */
function signedCommandHeader(envelope: SignedEnvelope): Record<string, string> {
  return { [SIGNED_COMMAND_HEADER]: encodeBase64Url(new TextEncoder().encode(JSON.stringify(envelope))) };
}
