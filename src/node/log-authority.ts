/**
 * Which root authority a node serves under. The log's first event is the
 * authority's registration (genesis): the node that finds the store empty
 * writes it with the authority key of its data folder and has founded the
 * log; every node that finds it there has joined the log, whatever its own
 * folder holds. Several nodes starting together on an empty store race on the
 * authority's stream (expected revision no_stream) and exactly one wins.
 */

import { ensureGenesis } from '../application/commands/genesis.js';
import type { EventStore, RecordedEvent } from '../infrastructure/eventstore/port.js';
import { type InitResult, recordJoinedLog } from './data-dir.js';

export interface LogAuthority {
  readonly id: string;
  /** The key the authority registered at genesis. */
  readonly keyId: string;
  /** This node founded the log: its data folder holds the authority's key. */
  readonly founded: boolean;
  /** Where an authority key of this folder that the log never registered was moved to, if one was. */
  readonly unusedKeyFile: string | null;
}

/** The authority's id and genesis key from the log's first event, or null if that event is not a genesis. */
export function genesisAuthority(first: RecordedEvent): { id: string; keyId: string } | null {
  if (first.type !== 'IdentityRegistered') return null;
  const data = first.data as {
    identityId?: unknown;
    roles?: unknown;
    keys?: { keyId?: unknown }[];
  } | null;
  const keyId = Array.isArray(data?.keys) ? data.keys[0]?.keyId : undefined;
  if (
    typeof data?.identityId !== 'string' ||
    !Array.isArray(data.roles) ||
    !data.roles.includes('authority') ||
    typeof keyId !== 'string'
  ) {
    return null;
  }
  return { id: data.identityId, keyId };
}

/**
 * Writes the genesis when the store is empty and this folder can found the log, then reads who the
 * authority is. When it is not this folder's authority, node.json is rewritten to name it (see
 * recordJoinedLog). Throws StoreUnavailableError when the store cannot be reached, and a plain Error,
 * fit to print, when the store does not hold a Chancery log this node can serve.
 */
export async function settleAuthority(store: EventStore, init: InitResult, now: Date): Promise<LogAuthority> {
  const { identity, authorityKey } = init;
  let [first] = await store.readAll({ maxCount: 1 });
  if (first === undefined) {
    if (authorityKey === null) {
      throw new Error(
        `${init.layout.identityFile} says this node joined a log founded elsewhere, but the event store is empty: ` +
          "point the node at that log's store, or found a new log from a fresh data folder",
      );
    }
    await ensureGenesis(
      store,
      { identityId: identity.authorityId, name: identity.authorityName, keyPair: authorityKey },
      now,
    );
    [first] = await store.readAll({ maxCount: 1 });
  }
  const genesis = first === undefined ? null : genesisAuthority(first);
  if (first === undefined || genesis === null) {
    throw new Error(
      `the event store's first event (${first?.type ?? 'none'} on ${first?.stream ?? '-'}) is not the ` +
        'registration of a root authority: it does not hold a Chancery log',
    );
  }
  if (authorityKey !== null && genesis.keyId === authorityKey.keyId && genesis.id === identity.authorityId) {
    return { ...genesis, founded: true, unusedKeyFile: null };
  }
  if (
    identity.joined === true &&
    identity.authorityId === genesis.id &&
    identity.authorityKeyId === genesis.keyId
  ) {
    return { ...genesis, founded: false, unusedKeyFile: null };
  }
  const { setAside } = recordJoinedLog(init, genesis);
  return { ...genesis, founded: false, unusedKeyFile: setAside };
}
