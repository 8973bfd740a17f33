import { randomBytes } from 'node:crypto';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import type { NodeChild } from './node-child.js';

/** What the certify benchmarks (certify, postgres) send: one issuer, one record type, signed before timing. */

const ISSUER_ID = 'BENCH-ISSUER';
const RECORD_TYPE = 'diploma';

/** Signs `count` distinct CertifyRecord envelopes and serialises them, ready to send. */
export function presign(signer: Signer, count: number): Buffer[] {
  const validFrom = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const bodies: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const envelope = signCommand(signer, 'CertifyRecord', {
      recordDigest: randomBytes(32).toString('hex'),
      recordType: RECORD_TYPE,
      subjectRef: randomBytes(32).toString('hex'),
      validFrom,
      validUntil: null,
      metadata: { programme: 'BSc Physics', level: 6, honours: true },
    });
    bodies[i] = Buffer.from(JSON.stringify(envelope));
  }
  return bodies;
}

/** Registers an issuer department with the node's authority key and accredits it. */
export async function setUpIssuer(node: NodeChild): Promise<Signer> {
  const authority: Signer = { actor: node.authorityId, keyPair: readKeyFile(node.authorityKeyFile) };
  const client = new ChanceryClient(node.url, authority);
  const issuerKey = generateKeyPair();
  await client.registerIdentity({
    identityId: ISSUER_ID,
    name: 'Benchmark issuing department',
    roles: ['issuer'],
    publicKeys: [issuerKey.publicKeyBase64],
  });
  await client.accredit(ISSUER_ID, [RECORD_TYPE]);
  return { actor: ISSUER_ID, keyPair: issuerKey };
}
