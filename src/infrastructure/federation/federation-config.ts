/**
 * Federation settings of a node: its role, and for a primary the witnesses
 * it asks to cosign; for a mirror-witness its upstreams, the log key it
 * trusts and its witness name. Flags win over environment variables, which
 * win over defaults (the README's configuration table lists them).
 */

import { resolve } from 'node:path';
import { parseVerifierKey, parseWitnessKey, SIGNATURE_TYPE_ED25519 } from '../../domain/log/index.js';

export type NodeRole = 'primary' | 'mirror';

export interface WitnessEndpoint {
  /** The witness's tlog-witness submission prefix (POST <url>/add-checkpoint). */
  readonly url: string;
  /** Its cosignature/v1 verifier key. */
  readonly vkey: string;
}

export interface FederationConfig {
  readonly role: NodeRole;
  /** Mirror: the nodes to pull the log from, tried in order, failing over. */
  readonly upstreams: readonly string[];
  /** Mirror: the log's verifier key, the one trust anchor. */
  readonly trust: string | null;
  /** A C2SP tlog-policy file: witnesses (with URLs, for a primary) and the quorum. */
  readonly policyFile: string | null;
  /** Primary without a policy file: witnesses given one by one. */
  readonly witnesses: readonly WitnessEndpoint[];
  /** How many of `witnesses` make the quorum (default: a majority). */
  readonly witnessQuorum: number | null;
  /** Mirror-witness: the name its cosignatures are made under (default derived from its key). */
  readonly witnessName: string | null;
  /** Timeout of one add-checkpoint request. */
  readonly witnessTimeoutMs: number;
  /** How long `?wait=final` waits for the quorum before FINALITY_TIMEOUT. */
  readonly finalWaitMs: number;
  /** How often a caught-up mirror asks its upstream for a new checkpoint. */
  readonly mirrorPollMs: number;
  /** Primary: how often it asks each mirror-witness how far its replica got (mirror lag). */
  readonly mirrorProbeMs: number;
  /**
   * Mirror: read upstream as C2SP tlog-tiles (the default: cacheable, immutable resources, the
   * proof computed here) or through /v1/log/entries (for upstreams older than tiles).
   */
  readonly mirrorSync: 'tiles' | 'entries';
}

export interface FederationConfigInput {
  role?: string;
  upstream?: readonly string[];
  trust?: string;
  policyFile?: string;
  witness?: readonly string[];
  witnessQuorum?: string | number;
  witnessName?: string;
  mirrorSync?: string;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function toInt(value: number | string, what: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`invalid ${what}: ${value} (expected an integer ${min}..${max})`);
  return n;
}

function httpUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid ${what} ${text}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`invalid ${what} ${text}: not http(s)`);
  return text.replace(/\/+$/, '');
}

/** `URL=VKEY`: split at the first '=' after which a witness vkey follows (a URL may hold '=', so may a key). */
function witnessEndpoint(text: string): WitnessEndpoint {
  for (let at = text.indexOf('='); at > 0; at = text.indexOf('=', at + 1)) {
    const vkey = text.slice(at + 1);
    try {
      parseWitnessKey(vkey);
    } catch {
      continue;
    }
    return { url: httpUrl(text.slice(0, at), '--witness URL'), vkey };
  }
  throw new Error(`invalid --witness ${text}: expected URL=VKEY with a cosignature/v1 verifier key`);
}

function mirrorSync(value: string): 'tiles' | 'entries' {
  if (value !== 'tiles' && value !== 'entries')
    throw new Error(`invalid mirror sync: ${value} (expected tiles or entries)`);
  return value;
}

export function resolveFederationConfig(
  flags: FederationConfigInput,
  env: NodeJS.ProcessEnv = process.env,
): FederationConfig {
  const role = flags.role ?? env['CHANCERY_ROLE'] ?? 'primary';
  if (role !== 'primary' && role !== 'mirror')
    throw new Error(`invalid role: ${role} (expected primary or mirror)`);
  const upstreams = (
    flags.upstream !== undefined && flags.upstream.length > 0
      ? flags.upstream
      : list(env['CHANCERY_UPSTREAM'])
  ).map((u) => httpUrl(u, '--upstream'));
  const trust = flags.trust ?? env['CHANCERY_TRUST'] ?? null;
  if (trust !== null) {
    try {
      parseVerifierKey(trust, SIGNATURE_TYPE_ED25519);
    } catch (error) {
      throw new Error(`invalid --trust key: ${(error as Error).message}`);
    }
  }
  if (role === 'mirror' && (upstreams.length === 0 || trust === null))
    throw new Error('--role mirror needs --upstream URL (repeatable) and --trust LOG_VKEY');
  const policyFile = flags.policyFile ?? env['CHANCERY_POLICY_FILE'] ?? null;
  const witnesses = (
    flags.witness !== undefined && flags.witness.length > 0 ? flags.witness : list(env['CHANCERY_WITNESSES'])
  ).map(witnessEndpoint);
  if (policyFile !== null && witnesses.length > 0)
    throw new Error('give the witnesses either in a --policy file or as --witness flags, not both');
  const quorum = flags.witnessQuorum ?? env['CHANCERY_WITNESS_QUORUM'];
  const witnessQuorum =
    quorum === undefined || quorum === ''
      ? null
      : toInt(quorum, 'witness quorum', 1, Math.max(1, witnesses.length));
  return {
    role,
    upstreams,
    trust,
    policyFile: policyFile === null || policyFile === '' ? null : resolve(policyFile),
    witnesses,
    witnessQuorum,
    witnessName: flags.witnessName ?? env['CHANCERY_WITNESS_NAME'] ?? null,
    witnessTimeoutMs: toInt(env['CHANCERY_WITNESS_TIMEOUT_MS'] ?? 3000, 'witness timeout (ms)', 10, 600_000),
    finalWaitMs: toInt(env['CHANCERY_FINAL_WAIT_MS'] ?? 10_000, 'final wait (ms)', 1, 3_600_000),
    mirrorPollMs: toInt(env['CHANCERY_MIRROR_POLL_MS'] ?? 200, 'mirror poll interval (ms)', 1, 600_000),
    mirrorProbeMs: toInt(env['CHANCERY_MIRROR_PROBE_MS'] ?? 5000, 'mirror probe interval (ms)', 10, 600_000),
    mirrorSync: mirrorSync(flags.mirrorSync ?? env['CHANCERY_MIRROR_SYNC'] ?? 'tiles'),
  };
}
