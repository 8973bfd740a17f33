import { stateKey } from '../log-state/state-records.js';
import { keyRecordOf, mapRootOf, provenAt } from './map-state.js';
import type { ProofBundleV2 } from './proof-bundle-v2.js';
import { certifyingCommand, checkEventFollows, checkSignedBy } from './signature-step.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step, text } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

/**
 * The department's signature, by the key the state map proves: its holder and public key are the map's
 * record of `key/<keyId>` (keyId named by the signed command), and its window is in log positions: it may
 * sign from the entry after the one that registered it until the one that retired it (docs/state-map.md).
 */
export function signatureV2Step(bundle: ProofBundleV2, options: VerifyBundleOptions): VerificationStep {
  return step('signature', () => {
    const { entry, certificationId, leafIndex } = bundle;
    const expected = options.expectedCertificationId;
    ensure(
      expected === undefined || expected === certificationId,
      `this proof is for ${certificationId}, not for ${expected}`,
    );
    const command = certifyingCommand(entry);
    const keyId = text(command.payload['keyId'], 'the key id');
    const root = mapRootOf(bundle);
    const key = keyRecordOf(provenAt(root, stateKey.key(keyId), bundle.state.key, 'key'), keyId);
    const actor = checkSignedBy(
      { keyId, identityId: key.identityId, publicKey: key.publicKey },
      command,
      options.verify,
    );
    const issuedAt = checkEventFollows(bundle, command, actor);
    ensure(
      key.registeredAt < leafIndex,
      `key ${keyId} was registered at log entry ${key.registeredAt}, not before this entry ${leafIndex}`,
    );
    ensure(
      key.retiredAt === null || leafIndex < key.retiredAt,
      `key ${keyId} was retired at log entry ${key.retiredAt}, before this entry ${leafIndex}`,
    );
    const what =
      command.kind.command === 'CertifyRecord'
        ? 'this certification'
        : `a batch of ${String(entry.data['count'])} records`;
    const window =
      key.retiredAt === null
        ? `registered at log entry ${key.registeredAt}, not retired`
        : `registered at log entry ${key.registeredAt}, retired at entry ${key.retiredAt}`;
    return `${actor} signed ${what} on ${issuedAt}, log entry ${leafIndex}, with key ${keyId} (${window}).`;
  });
}
