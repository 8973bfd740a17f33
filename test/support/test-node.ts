import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { SignedEnvelope } from '../../src/domain/crypto/envelope.js';
import type { JsonValue } from '../../src/domain/shared/json.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { generateKeyPair, type KeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { type Signer, type SignOptions, signCommand } from '../../src/protocol/sign-command.js';

export const FIXED_NOW = Date.parse('2026-11-21T10:00:00Z');
export const ISSUED_AT = '2026-11-21T10:00:00Z';

export interface TestNode {
  readonly node: RunningNode;
  readonly dataDir: string;
  readonly authority: Signer;
  /** Signs with the fixed test clock so issuedAt is always within skew. */
  sign(
    signer: Signer,
    type: string,
    fields: Record<string, JsonValue | undefined>,
    options?: SignOptions,
  ): SignedEnvelope;
  post(url: string, body: unknown): Promise<LightMyRequestResponse>;
  postRaw(url: string, payload: string, contentType?: string): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  lastPosition(): Promise<bigint | null>;
  /** Signs and publishes a checkpoint of everything sequenced so far (test nodes do not seal on a timer by default). */
  seal(): Promise<void>;
  /**
   * Posts a CertifyRecord of a diploma whose digest is SHA-256 of `recordText`, signed by `issuer`;
   * returns the response for the caller to check.
   */
  certifyDiploma(issuer: Signer, recordText: string): Promise<LightMyRequestResponse>;
  /** Registers an issuer accredited for the given record types; returns its signer. */
  issuer(code: string, recordTypes: string[], roles?: string[]): Promise<Signer & { keyPair: KeyPair }>;
  close(): Promise<void>;
}

/** One hour: in tests, checkpoints appear when a test calls seal() (or sets an interval), never mid-assertion. */
const MANUAL_SEAL_INTERVAL_MS = 3_600_000;

export async function startTestNode(
  options: { listen?: boolean; sealIntervalMs?: number; sealWaitMs?: number } = {},
): Promise<TestNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-test-'));
  const node = await startNode(
    resolveNodeConfig(
      { dataDir, port: 0, sealIntervalMs: options.sealIntervalMs ?? MANUAL_SEAL_INTERVAL_MS },
      {},
    ),
    {
      logging: process.env['TEST_LOGS'] === '1' ? undefined : false,
      clock: () => FIXED_NOW,
      listen: options.listen ?? false,
      ...(options.sealWaitMs === undefined ? {} : { sealWaitMs: options.sealWaitMs }),
    },
  );
  const authority: Signer = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
  const sign: TestNode['sign'] = (signer, type, fields, opts) =>
    signCommand(signer, type, fields, { issuedAt: ISSUED_AT, ...opts });
  const post = (url: string, body: unknown) =>
    node.app.inject({ method: 'POST', url, payload: body as object });
  const t: TestNode = {
    node,
    dataDir,
    authority,
    sign,
    post,
    postRaw: (url, payload, contentType = 'application/json') =>
      node.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } }),
    get: (url) => node.app.inject({ method: 'GET', url }),
    lastPosition: () => node.store.lastPosition(),
    seal: () => node.sealer.sealNow(),
    certifyDiploma: (issuer, recordText) =>
      post(
        '/v1/certifications',
        sign(issuer, 'CertifyRecord', {
          recordDigest: createHash('sha256').update(recordText).digest('hex'),
          recordType: 'diploma',
          validFrom: ISSUED_AT,
        }),
      ),
    async issuer(code, recordTypes, roles = ['issuer']) {
      const keyPair = generateKeyPair();
      const registered = await post(
        '/v1/identities',
        sign(authority, 'RegisterIdentity', {
          identityId: code,
          name: `${code} department`,
          roles,
          publicKeys: [keyPair.publicKeyBase64],
        }),
      );
      if (registered.statusCode !== 201) throw new Error(`register ${code}: ${registered.body}`);
      if (recordTypes.length > 0) {
        const accredited = await post(
          `/v1/identities/${code}/accredit`,
          sign(authority, 'AccreditIdentity', { identityId: code, recordTypes }),
        );
        if (accredited.statusCode !== 200) throw new Error(`accredit ${code}: ${accredited.body}`);
      }
      return { actor: code, keyPair };
    },
    async close() {
      await node.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
