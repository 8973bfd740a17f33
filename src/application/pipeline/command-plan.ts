import type { CertifyBatch, EarlierCertification } from '../../domain/certification/commands.js';
import type { CommandPayload } from '../../domain/crypto/envelope.js';
import type { EntrySnapshot } from '../../domain/directory/commands.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { AnyDecider } from './handle-command.js';

/** Everything needed to run one command through its decider. */
export interface CommandPlan {
  readonly stream: string;
  readonly decider: AnyDecider;
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
   * command was applied already: the pipeline may decide against the initial state and append with
   * 'no_stream' without reading the stream first.
   */
  readonly streamOfCommand?: boolean;
}

/** What a record's certification looks like to planning: a record certified in a batch carries its batch. */
export interface CertificationFacts {
  readonly issuerId: string;
  readonly batch?: { readonly batchId: string; readonly index: number };
}

/** A schema that records of a catalog entry must conform to, checked and identified by its digest. */
export interface CheckedSchemaDigest {
  readonly digest: string;
}

/**
 * Facts from other streams that planning reads from the node's read models, as they stand when the
 * command is planned: the primary plans against its current state, a mirror against its replica at
 * that point of the log.
 */
export interface PlanContext {
  readonly identities: {
    get(identityId: string): unknown | undefined;
    key(keyId: string): unknown | undefined;
  };
  readonly certifications: {
    get(certificationId: string): CertificationFacts | undefined;
    /**
     * The issuer's latest certification of a record (digest, record type), for the duplicate check of a
     * new write. Absent when a replay plans entries the log already accepted.
     */
    latestOfRecord?(issuerId: string, recordType: string, recordDigest: string): EarlierCertification | null;
  };
  readonly directory: {
    /** The entry as the read model knows it, or null. */
    entry(entryId: string): EntrySnapshot | null;
    /** The entry a request is about, or null when the read model has no such request. */
    entryOfRequest(requestId: string): string | null;
    /** Checks a record schema (conformsTo) and identifies it; throws a problem when it is not usable. */
    checkSchema(schema: JsonObject): CheckedSchemaDigest;
  };
}

/** What a signed command brings beside its payload: a bulk certification's uploaded digest list. */
export interface CommandInputs {
  readonly digests?: CertifyBatch['digests'];
  /** A mirror replaying a batch: the encoding its logged slices use, so the decider writes the same bytes. */
  readonly sliceEncoding?: CertifyBatch['sliceEncoding'];
}

/** Translates a verified payload of one command type into a plan; throws a problem when it cannot. */
export type Planner = (
  payload: CommandPayload,
  actor: ActorSnapshot,
  context: PlanContext,
  inputs: CommandInputs,
) => CommandPlan;
