import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair, readKeyFile, writeKeyFiles } from '../protocol/key-pair.js';

/** What `chancery init` leaves in the data folder; none of it is secret except the two key files. */
export interface NodeIdentityFile {
  readonly origin: string;
  readonly authorityId: string;
  readonly authorityName: string;
  readonly authorityKeyId: string;
  readonly nodeKeyId: string;
  readonly createdAt: string;
  /**
   * True when this node joined a log another node founded: authorityId and authorityKeyId are read from
   * the store's genesis event, and the authority's private key is not in this folder.
   */
  readonly joined?: boolean;
}

export interface DataDir {
  readonly dir: string;
  readonly eventStoreFile: string;
  readonly nodeDatabaseFile: string;
  readonly nodeKeyFile: string;
  readonly authorityKeyFile: string;
  readonly identityFile: string;
}

export function dataDirLayout(dir: string): DataDir {
  return {
    dir,
    eventStoreFile: join(dir, 'events.db'),
    nodeDatabaseFile: join(dir, 'node.db'),
    nodeKeyFile: join(dir, 'node.key'),
    authorityKeyFile: join(dir, 'authority.key'),
    identityFile: join(dir, 'node.json'),
  };
}

export interface InitResult {
  readonly layout: DataDir;
  readonly identity: NodeIdentityFile;
  readonly nodeKey: KeyPair;
  /** The authority's key; null in the folder of a node that joined a log founded elsewhere. */
  readonly authorityKey: KeyPair | null;
  /** True when this call made the keys (first start). */
  readonly created: boolean;
}

/**
 * Creates the node's Ed25519 key and the root authority's key on first use and
 * reuses them afterwards. Keys are written 0600 before node.json, so a crash
 * half-way leaves a folder that the next init completes or reports.
 */
export function initDataDir(
  dir: string,
  options: { origin: string; authorityCode: string; authorityName: string; now: Date },
): InitResult {
  const layout = dataDirLayout(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(layout.identityFile)) {
    const identity = JSON.parse(readFileSync(layout.identityFile, 'utf8')) as NodeIdentityFile;
    return {
      layout,
      identity,
      nodeKey: readKeyFile(layout.nodeKeyFile),
      authorityKey: identity.joined === true ? null : readKeyFile(layout.authorityKeyFile),
      created: false,
    };
  }
  const nodeKey = existsSync(layout.nodeKeyFile) ? readKeyFile(layout.nodeKeyFile) : generateKeyPair();
  if (!existsSync(layout.nodeKeyFile)) writeKeyFiles(layout.nodeKeyFile, nodeKey);
  const authorityKey = existsSync(layout.authorityKeyFile)
    ? readKeyFile(layout.authorityKeyFile)
    : generateKeyPair();
  if (!existsSync(layout.authorityKeyFile)) writeKeyFiles(layout.authorityKeyFile, authorityKey);
  const identity: NodeIdentityFile = {
    origin: options.origin,
    authorityId: options.authorityCode,
    authorityName: options.authorityName,
    authorityKeyId: authorityKey.keyId,
    nodeKeyId: nodeKey.keyId,
    createdAt: options.now.toISOString(),
  };
  writeFileSync(layout.identityFile, JSON.stringify(identity, null, 2) + '\n', { mode: 0o644 });
  return { layout, identity, nodeKey, authorityKey, created: true };
}

/**
 * Records that this node joined a log whose authority another node holds: node.json names the authority
 * of the store's genesis, and the authority key this folder made, which the log never registered, is
 * removed (made by this very start) or set aside as authority.key.unused (older) so that nobody mistakes
 * it for the authority's. Returns the new identity and where an older key was moved, if one was.
 */
export function recordJoinedLog(
  init: InitResult,
  authority: { readonly id: string; readonly keyId: string },
): { identity: NodeIdentityFile; setAside: string | null } {
  const { layout } = init;
  const identity: NodeIdentityFile = {
    ...init.identity,
    authorityId: authority.id,
    authorityKeyId: authority.keyId,
    joined: true,
  };
  let setAside: string | null = null;
  if (existsSync(layout.authorityKeyFile)) {
    if (init.created) {
      rmSync(layout.authorityKeyFile, { force: true });
      rmSync(`${layout.authorityKeyFile}.pub`, { force: true });
    } else {
      setAside = `${layout.authorityKeyFile}.unused`;
      renameSync(layout.authorityKeyFile, setAside);
      if (existsSync(`${layout.authorityKeyFile}.pub`)) {
        renameSync(`${layout.authorityKeyFile}.pub`, `${setAside}.pub`);
      }
    }
  }
  writeFileSync(layout.identityFile, JSON.stringify(identity, null, 2) + '\n', { mode: 0o644 });
  return { identity, setAside };
}
