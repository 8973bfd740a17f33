/**
 * C2SP tlog-policy: which logs are trusted, which witnesses exist, and the
 * quorum rule deciding whether the witnesses that cosigned a checkpoint are
 * enough to call it final.
 *
 *   log <vkey> [<url>]
 *   witness <name> <vkey> [<url>]
 *   group <name> all|any|<k> <name>...
 *   quorum <name>|none
 *   authority <base64 Ed25519 public key>     (Chancery's addition: whose registrations make a key a department's)
 *   max-age <seconds>                         (Chancery's addition: how old a proven state may be)
 *
 * Lines end in a newline; items are separated by runs of spaces and tabs;
 * blank lines and lines starting with '#' are ignored. A group or the quorum
 * may only name witnesses and groups defined on earlier lines, so there are
 * no cycles. The policy is read by the CLI, the citizen page and the nodes,
 * so the parser treats it as hostile: every size is bounded and every
 * reference checked before anything is evaluated.
 *
 * Pure: no node:* imports, no clock, no I/O.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../crypto/hex.js';
import {
  LogProofError,
  parseVerifierKey,
  parseWitnessKey,
  SIGNATURE_TYPE_ED25519,
  type VerifierKey,
  type WitnessKey,
} from '../log/index.js';
import { FederationError } from './federation-error.js';

/** Bounds on hostile policies. The spec asks for at least 32 of each; a province's network may be larger. */
export const MAX_POLICY_BYTES = 256 * 1024;
export const MAX_POLICY_LOGS = 64;
export const MAX_POLICY_WITNESSES = 256;
export const MAX_POLICY_GROUPS = 256;

/** The predefined quorum that asks for no cosignature at all. */
export const QUORUM_NONE = 'none';

export interface PolicyLog {
  readonly vkey: string;
  readonly key: VerifierKey;
  /** The log's origin: the key name of its vkey. */
  readonly origin: string;
  readonly url: string | null;
}

export interface PolicyWitness {
  /** The witness's name inside this policy (not necessarily its key name). */
  readonly name: string;
  readonly vkey: string;
  readonly key: WitnessKey;
  /** The witness's tlog-witness submission prefix, when the policy gives one. */
  readonly url: string | null;
}

export interface PolicyGroup {
  readonly name: string;
  /** How many members must have witnessed: 1 ≤ threshold ≤ members.length. */
  readonly threshold: number;
  readonly members: readonly string[];
}

export interface TrustPolicy {
  /** The policy text exactly as given: what its digest is computed over. */
  readonly text: string;
  readonly logs: readonly PolicyLog[];
  readonly witnesses: readonly PolicyWitness[];
  readonly groups: readonly PolicyGroup[];
  /** The quorum's witness or group name, or QUORUM_NONE. */
  readonly quorum: string;
  /** The authority's pinned Ed25519 public keys (base64 of the raw 32 bytes), from `authority` lines. */
  readonly authorities: readonly string[];
  /** From a `max-age` line: how old (by the witnesses' cosignature times) a proven state may be; null: no limit. */
  readonly maxAgeSeconds: number | null;
}

function malformed(line: number, message: string): FederationError {
  return new FederationError('POLICY_MALFORMED', `policy line ${line}: ${message}`);
}

function checkCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Only tab and newline among the controls: a CR or an escape sequence would let two readers see different lines.
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) {
      const line = text.slice(0, i).split('\n').length;
      throw malformed(line, `control character U+${code.toString(16).padStart(4, '0')}`);
    }
  }
}

function parseKey<T>(vkey: string, line: number, parse: (vkey: string) => T): T {
  try {
    return parse(vkey);
  } catch (error) {
    if (error instanceof LogProofError) throw malformed(line, `${vkey.slice(0, 80)}: ${error.message}`);
    throw error;
  }
}

function keyBytes(key: VerifierKey): string {
  return toHex(key.publicKey);
}

/** What the lines read so far define: a policy in the making, with what later lines are checked against. */
interface PolicyDraft {
  readonly logs: PolicyLog[];
  readonly witnesses: PolicyWitness[];
  readonly groups: PolicyGroup[];
  readonly names: Map<string, 'witness' | 'group'>;
  readonly logKeys: Set<string>;
  readonly witnessKeys: Set<string>;
  readonly authorities: string[];
  quorum: string | null;
  maxAgeSeconds: number | null;
}

function define(draft: PolicyDraft, name: string, kind: 'witness' | 'group', line: number): void {
  if (name === QUORUM_NONE) throw malformed(line, `"${QUORUM_NONE}" is reserved`);
  if (draft.names.has(name))
    throw new FederationError('POLICY_DUPLICATE', `policy line ${line}: ${name} is defined twice`);
  draft.names.set(name, kind);
}

function parseLogLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  if (args.length < 1 || args.length > 2) throw malformed(line, 'expected: log <vkey> [<url>]');
  const vkey = args[0]!;
  const key = parseKey(vkey, line, (k) => parseVerifierKey(k, SIGNATURE_TYPE_ED25519));
  // Duplicates are by public key: the same key under two names is still one log.
  if (draft.logKeys.has(keyBytes(key)))
    throw new FederationError('POLICY_DUPLICATE', `policy line ${line}: log key listed twice`);
  draft.logKeys.add(keyBytes(key));
  if (draft.logs.length >= MAX_POLICY_LOGS)
    throw new FederationError('POLICY_LIMIT', `at most ${MAX_POLICY_LOGS} logs`);
  draft.logs.push({ vkey, key, origin: key.name, url: args[1] ?? null });
}

function parseWitnessLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  if (args.length < 2 || args.length > 3) throw malformed(line, 'expected: witness <name> <vkey> [<url>]');
  const [name, vkey] = args as [string, string];
  const key = parseKey(vkey, line, parseWitnessKey);
  define(draft, name, 'witness', line);
  if (draft.witnessKeys.has(keyBytes(key)))
    throw new FederationError('POLICY_DUPLICATE', `policy line ${line}: witness key listed twice`);
  draft.witnessKeys.add(keyBytes(key));
  if (draft.witnesses.length >= MAX_POLICY_WITNESSES)
    throw new FederationError('POLICY_LIMIT', `at most ${MAX_POLICY_WITNESSES} witnesses`);
  draft.witnesses.push({ name, vkey, key, url: args[2] ?? null });
}

const THRESHOLD = /^[1-9][0-9]{0,5}$/;

/** How many of `members` a group's rule (all, any or a decimal count) asks for. */
function thresholdOf(rule: string, members: readonly string[], line: number): number {
  let threshold: number;
  if (rule === 'all') threshold = members.length;
  else if (rule === 'any') threshold = 1;
  else if (THRESHOLD.test(rule)) threshold = Number(rule);
  else throw malformed(line, `threshold ${rule} is not all, any or a decimal number`);
  if (threshold > members.length)
    throw malformed(line, `threshold ${threshold} exceeds the ${members.length} members`);
  return threshold;
}

function parseGroupLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  if (args.length < 3) throw malformed(line, 'expected: group <name> all|any|<k> <name>...');
  const [name, rule, ...members] = args as [string, string, ...string[]];
  const seen = new Set<string>();
  for (const member of members) {
    // A member counted twice would let one witness satisfy a threshold meant for two.
    if (seen.has(member))
      throw new FederationError('POLICY_DUPLICATE', `policy line ${line}: ${member} listed twice`);
    seen.add(member);
    if (!draft.names.has(member)) {
      throw new FederationError(
        'POLICY_NAME_UNKNOWN',
        `policy line ${line}: ${member} is not a witness or group defined earlier`,
      );
    }
  }
  const threshold = thresholdOf(rule, members, line);
  define(draft, name, 'group', line);
  if (draft.groups.length >= MAX_POLICY_GROUPS)
    throw new FederationError('POLICY_LIMIT', `at most ${MAX_POLICY_GROUPS} groups`);
  draft.groups.push({ name, threshold, members });
}

function parseQuorumLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  if (args.length !== 1) throw malformed(line, 'expected: quorum <name>');
  if (draft.quorum !== null) throw malformed(line, 'a policy has exactly one quorum line');
  const name = args[0]!;
  if (name !== QUORUM_NONE && !draft.names.has(name)) {
    throw new FederationError(
      'POLICY_NAME_UNKNOWN',
      `policy line ${line}: ${name} is not a witness or group defined earlier`,
    );
  }
  draft.quorum = name;
}

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

function parseAuthorityLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  // 43 characters and one '=' is exactly 32 bytes; the last character must carry no stray bits (one form per key).
  if (args.length !== 1 || !BASE64_KEY.test(args[0]!) || !'AEIMQUYcgkosw048'.includes(args[0]![42]!))
    throw malformed(line, 'expected: authority <base64 of a 32-byte Ed25519 public key>');
  if (draft.authorities.includes(args[0]!))
    throw new FederationError('POLICY_DUPLICATE', `policy line ${line}: authority key listed twice`);
  if (draft.authorities.length >= MAX_POLICY_LOGS)
    throw new FederationError('POLICY_LIMIT', `at most ${MAX_POLICY_LOGS} authority keys`);
  draft.authorities.push(args[0]!);
}

function parseMaxAgeLine(draft: PolicyDraft, args: readonly string[], line: number): void {
  if (args.length !== 1 || !/^[1-9][0-9]{0,8}$/.test(args[0]!))
    throw malformed(line, 'expected: max-age <seconds>, a whole number from 1 to 999999999');
  if (draft.maxAgeSeconds !== null) throw malformed(line, 'a policy has at most one max-age line');
  draft.maxAgeSeconds = Number(args[0]);
}

type LineParser = (draft: PolicyDraft, args: readonly string[], line: number) => void;

// A Map rather than an object literal, so a keyword such as "constructor" finds nothing on a prototype.
const LINE_PARSERS: ReadonlyMap<string, LineParser> = new Map([
  ['log', parseLogLine],
  ['witness', parseWitnessLine],
  ['group', parseGroupLine],
  ['quorum', parseQuorumLine],
  ['authority', parseAuthorityLine],
  ['max-age', parseMaxAgeLine],
]);

function parseLine(draft: PolicyDraft, raw: string, line: number): void {
  const items = raw.split(/[ \t]+/).filter((item) => item.length > 0);
  const [keyword, ...args] = items;
  if (keyword === undefined || keyword.startsWith('#')) return;
  const parse = LINE_PARSERS.get(keyword);
  if (parse === undefined) throw malformed(line, `unknown keyword ${keyword.slice(0, 40)}`);
  parse(draft, args, line);
}

/** Checks on the whole text before it is split into lines. */
function checkPolicyText(text: string): void {
  if (typeof text !== 'string') throw new FederationError('POLICY_MALFORMED', 'a policy is text');
  // Bound the work before splitting anything.
  if (text.length > MAX_POLICY_BYTES) {
    throw new FederationError('POLICY_LIMIT', `a policy is at most ${MAX_POLICY_BYTES} bytes`);
  }
  checkCharacters(text);
  // Every line ends in a newline: a truncated download must not read as a shorter, valid policy.
  if (text.length > 0 && !text.endsWith('\n')) throw malformed(text.split('\n').length, 'no final newline');
}

/**
 * Parses a tlog-policy text. Throws FederationError: POLICY_MALFORMED (syntax,
 * control characters, a malformed key or one of the wrong type, a group
 * threshold outside 1..n, a missing final newline, no or several quorum
 * lines), POLICY_NAME_UNKNOWN, POLICY_DUPLICATE (a name defined twice, a key
 * listed twice, a member listed twice in one group) or POLICY_LIMIT.
 */
export function parseTrustPolicy(text: string): TrustPolicy {
  checkPolicyText(text);
  const draft: PolicyDraft = {
    logs: [],
    witnesses: [],
    groups: [],
    names: new Map(),
    logKeys: new Set(),
    witnessKeys: new Set(),
    authorities: [],
    quorum: null,
    maxAgeSeconds: null,
  };
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((raw, i) => {
    parseLine(draft, raw, i + 1);
  });
  const { logs, witnesses, groups, quorum, authorities, maxAgeSeconds } = draft;
  if (quorum === null) throw new FederationError('POLICY_MALFORMED', 'the policy has no quorum line');
  return { text, logs, witnesses, groups, quorum, authorities, maxAgeSeconds };
}

/**
 * Whether the named witnesses (by policy name) meet the policy's quorum. A
 * group witnesses a checkpoint when at least `threshold` of its members do;
 * a witness, when it is in `cosigned`. Names not in the policy count for nothing.
 */
export function isQuorumMet(policy: TrustPolicy, cosigned: ReadonlySet<string>): boolean {
  if (policy.quorum === QUORUM_NONE) return true;
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const memo = new Map<string, boolean>();
  // Groups only name earlier definitions, so this recursion is bounded by the policy's depth.
  const witnessed = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const group = groups.get(name);
    const result =
      group === undefined
        ? cosigned.has(name)
        : group.members.filter((member) => witnessed(member)).length >= group.threshold;
    memo.set(name, result);
    return result;
  };
  return witnessed(policy.quorum);
}

/** The quorum rule in words, e.g. "2 of w1, w2, w3" or "no cosignature required". */
export function describeQuorum(policy: TrustPolicy): string {
  if (policy.quorum === QUORUM_NONE) return 'no cosignature required';
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const describe = (name: string, depth: number): string => {
    const group = groups.get(name);
    if (group === undefined) return name;
    const members = group.members.map((m) => describe(m, depth + 1)).join(', ');
    const rule =
      group.threshold === group.members.length && group.members.length > 1 ? 'all' : `${group.threshold} of`;
    return depth === 0 ? `${rule} ${members}` : `(${rule} ${members})`;
  };
  return describe(policy.quorum, 0);
}

/** Lower-case hex SHA-256 of the policy text: how a bundle names the policy a node follows. */
export function policyDigest(text: string): string {
  return toHex(sha256(new TextEncoder().encode(text)));
}

export interface WitnessListing {
  readonly vkey: string;
  readonly url?: string;
}

/**
 * A policy for one log and a flat list of witnesses, `threshold` of which
 * make the quorum (a node configured with --witness flags instead of a policy
 * file). Witnesses are named by their key names, suffixed when two share one.
 * Throws FederationError like parseTrustPolicy on a bad key or threshold.
 */
export function policyForWitnesses(
  logVkey: string,
  witnesses: readonly WitnessListing[],
  threshold: number,
): TrustPolicy {
  const lines = [`log ${logVkey}`];
  const used = new Set<string>();
  const names: string[] = [];
  witnesses.forEach((w, i) => {
    const keyName = parseKey(w.vkey, i + 2, parseWitnessKey).name;
    let name = keyName;
    for (let n = 2; used.has(name) || name === QUORUM_NONE; n++) name = `${keyName}#${n}`;
    used.add(name);
    names.push(name);
    lines.push(`witness ${name} ${w.vkey}${w.url === undefined ? '' : ` ${w.url}`}`);
  });
  if (witnesses.length === 0) lines.push(`quorum ${QUORUM_NONE}`);
  else {
    // 'witnesses' could clash with a witness's own name; such a name gets the suffix instead.
    let group = 'witnesses';
    while (used.has(group)) group = `${group}_`;
    lines.push(`group ${group} ${threshold} ${names.join(' ')}`, `quorum ${group}`);
  }
  return parseTrustPolicy(`${lines.join('\n')}\n`);
}
