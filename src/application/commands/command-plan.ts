import { certificationDecider } from '../../domain/certification/certification-decider.js';
import { certificationIdFor } from '../../domain/certification/certification-id.js';
import type { CertificationCommand } from '../../domain/certification/commands.js';
import { certificationStream } from '../../domain/certification/events.js';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { CommandPayload } from '../../domain/crypto/envelope.js';
import { keyIdOf } from '../../domain/crypto/key-id.js';
import type { IdentityCommand } from '../../domain/identity/commands.js';
import type { PublicKeyEntry } from '../../domain/identity/events.js';
import { identityStream } from '../../domain/identity/events.js';
import { identityDecider } from '../../domain/identity/identity-decider.js';
import type { Role } from '../../domain/identity/roles.js';
import type { ActorSnapshot, Decider } from '../../domain/shared/decider.js';
import type { IdentityRegistry } from '../../infrastructure/projections/identity-registry.js';
import { ProblemError } from '../problems/problem.js';
import { type DirectoryPlanning, planDirectoryCommand } from './directory-plan.js';

/** Everything needed to run one command through its decider. */
export interface CommandPlan {
  readonly stream: string;
  // biome-ignore lint/suspicious/noExplicitAny: plans pair a decider with its own command type.
  readonly decider: Decider<any, { type: string; data: unknown }, any>;
  readonly command: unknown;
  /** Ids the client needs back (identityId, certificationId, entryId, requestId, grantId). */
  readonly resourceIds: {
    identityId?: string;
    certificationId?: string;
    entryId?: string;
    requestId?: string;
    grantId?: string;
  };
  /**
   * The stream is named after this command (its actor and command id), so it exists only if the
   * command was applied already: the service may decide against the initial state and append with
   * 'no_stream' without reading the stream first.
   */
  readonly streamOfCommand?: boolean;
}

function str(payload: CommandPayload, field: string): string {
  return payload[field] as string;
}

function optional<T>(payload: CommandPayload, field: string): T | null {
  const value = payload[field];
  return value === undefined ? null : (value as T);
}

function publicKeyEntry(base64: string): PublicKeyEntry {
  const raw = decodeBase64(base64);
  // The schema checks the shape; this catches non-canonical base64 and wrong lengths it cannot see.
  if (raw === null || raw.length !== 32) {
    throw new ProblemError('ENCODING_INVALID', 'publicKey must be canonical base64 of a 32-byte Ed25519 key');
  }
  return { keyId: keyIdOf(raw), publicKey: base64 };
}

function keysInUse(registry: IdentityRegistry, keys: readonly PublicKeyEntry[]): string[] {
  return keys.filter((k) => registry.key(k.keyId) !== undefined).map((k) => k.keyId);
}

/** Translates a verified payload into a domain command aimed at one stream. */
export function planCommand(
  payload: CommandPayload,
  actor: ActorSnapshot,
  registry: IdentityRegistry,
  directory?: DirectoryPlanning,
): CommandPlan {
  const at = payload.issuedAt;
  switch (payload.type) {
    case 'RegisterIdentity': {
      const identityId = str(payload, 'identityId');
      const parentId = optional<string>(payload, 'parentId');
      const keys = (payload['publicKeys'] as string[]).map(publicKeyEntry);
      const command: IdentityCommand = {
        type: 'RegisterIdentity',
        actor,
        at,
        identityId,
        name: str(payload, 'name'),
        organisationCode: identityId,
        parentId,
        parentExists: parentId !== null && registry.get(parentId) !== undefined,
        roles: payload['roles'] as Role[],
        keys,
        keysInUse: keysInUse(registry, keys),
      };
      return {
        stream: identityStream(identityId),
        decider: identityDecider,
        command,
        resourceIds: { identityId },
      };
    }
    case 'RotateIdentityKey': {
      const identityId = str(payload, 'identityId');
      const newKey = publicKeyEntry(str(payload, 'newPublicKey'));
      const command: IdentityCommand = {
        type: 'RotateIdentityKey',
        actor,
        at,
        identityId,
        newKey,
        retireKeyIds: optional<string[]>(payload, 'retireKeyIds') ?? [],
        keysInUse: keysInUse(registry, [newKey]),
      };
      return {
        stream: identityStream(identityId),
        decider: identityDecider,
        command,
        resourceIds: { identityId },
      };
    }
    case 'AccreditIdentity': {
      const identityId = str(payload, 'identityId');
      const command: IdentityCommand = {
        type: 'AccreditIdentity',
        actor,
        at,
        identityId,
        recordTypes: payload['recordTypes'] as string[],
      };
      return {
        stream: identityStream(identityId),
        decider: identityDecider,
        command,
        resourceIds: { identityId },
      };
    }
    case 'RevokeIdentity': {
      const identityId = str(payload, 'identityId');
      const command: IdentityCommand = {
        type: 'RevokeIdentity',
        actor,
        at,
        identityId,
        reason: str(payload, 'reason'),
      };
      return {
        stream: identityStream(identityId),
        decider: identityDecider,
        command,
        resourceIds: { identityId },
      };
    }
    case 'CertifyRecord': {
      const certificationId = certificationIdFor(payload.actor, payload.commandId);
      const command: CertificationCommand = {
        type: 'CertifyRecord',
        actor,
        at,
        certificationId,
        recordDigest: str(payload, 'recordDigest'),
        recordType: str(payload, 'recordType'),
        subjectRef: optional<string>(payload, 'subjectRef'),
        validFrom: str(payload, 'validFrom'),
        validUntil: optional<string>(payload, 'validUntil'),
        metadata: optional<Record<string, string | number | boolean>>(payload, 'metadata'),
      };
      return {
        stream: certificationStream(certificationId),
        decider: certificationDecider,
        command,
        resourceIds: { certificationId },
        streamOfCommand: true,
      };
    }
    case 'SuspendCertification':
    case 'ReinstateCertification':
    case 'RevokeCertification': {
      const certificationId = str(payload, 'certificationId');
      const command: CertificationCommand = {
        type: payload.type,
        actor,
        at,
        certificationId,
        reason: str(payload, 'reason'),
      };
      return {
        stream: certificationStream(certificationId),
        decider: certificationDecider,
        command,
        resourceIds: { certificationId },
      };
    }
    default: {
      const plan = planDirectoryCommand(payload, actor, directory);
      if (plan !== null) return plan;
      throw new ProblemError('COMMAND_TYPE_MISMATCH', `unknown command type ${payload.type}`);
    }
  }
}
