/**
 * Writes test/vectors/state-map.json, the state map's known-answer vectors:
 *
 *   npx tsx test/unit/state-map/generate-vectors.ts
 *
 * Every figure comes from InMemoryStateMap (src/domain/state-map), and
 * vectors.test.ts checks each again against a separate naive implementation
 * (naive-state-map.ts) and the SQLite store. Deterministic: running it twice
 * gives the same file, so a diff in review means the construction changed.
 */

import { writeFileSync } from 'node:fs';
import { toHex } from '../../../src/domain/crypto/hex.js';
import type { JsonObject } from '../../../src/domain/shared/json.js';
import {
  commonPrefixBits,
  InMemoryStateMap,
  type StateProofJson,
  stateKeyHash,
  stateLeafHash,
  stateProofToJson,
  stateValueHash,
  stateValueText,
} from '../../../src/domain/state-map/index.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

interface Entry {
  readonly key: string;
  readonly value: JsonObject;
}

/** The first pair of `void/N` keys (N < limit) whose key hashes share the most leading bits. */
function sharedPrefixPair(limit: number): { keys: [string, string]; bits: number } {
  const hashed = Array.from({ length: limit }, (_, n) => ({
    key: `void/${n}`,
    kh: stateKeyHash(`void/${n}`),
  }));
  hashed.sort((a, b) => Buffer.compare(Buffer.from(a.kh), Buffer.from(b.kh)));
  let best = { keys: ['', ''] as [string, string], bits: -1 };
  for (let i = 1; i < hashed.length; i++) {
    const bits = commonPrefixBits(hashed[i - 1]!.kh, hashed[i]!.kh);
    if (bits > best.bits) best = { keys: [hashed[i - 1]!.key, hashed[i]!.key], bits };
  }
  return best;
}

/** A key (from `prefix` + counter) whose absence proof in `map` ends in a terminal of `kind`. */
function absentKeyWith(map: InMemoryStateMap, prefix: string, kind: 'empty' | 'leaf'): string {
  // Bounded: a map whose every interior node has two non-empty children has no empty terminal at all.
  for (let n = 0; n < 10_000; n++) {
    const key = `${prefix}${n}`;
    if (map.get(key) === null && map.prove(key).proof.terminal.kind === kind) return key;
  }
  throw new Error(`no absent ${prefix}… key ends in a "${kind}" terminal: change the map`);
}

function leafFigures(entry: Entry) {
  const keyHash = stateKeyHash(entry.key);
  const valueHash = stateValueHash(entry.value);
  return {
    key: entry.key,
    keyHash: toHex(keyHash),
    value: entry.value,
    valueBytes: stateValueText(entry.value),
    valueHash: toHex(valueHash),
    leafHash: toHex(stateLeafHash(keyHash, valueHash)),
  };
}

function proofOf(
  map: InMemoryStateMap,
  key: string,
): { key: string; value: JsonObject | null; proof: StateProofJson } {
  const { value, proof } = map.prove(key);
  return { key, value, proof: stateProofToJson(proof) };
}

function mapCase(name: string, note: string, entries: readonly Entry[], absent: readonly string[]) {
  const map = new InMemoryStateMap();
  for (const e of entries) map.set(e.key, e.value);
  const root = map.root();
  return {
    name,
    note,
    entries: entries.map(leafFigures),
    root: toHex(root),
    rootBase64: b64(root),
    proofs: [...entries.map((e) => proofOf(map, e.key)), ...absent.map((k) => proofOf(map, k))],
  };
}

/** One record of each kind, in the shapes src/domain/log-state/state-records.ts defines (docs/state-map.md §2). */
const REALISTIC: Entry[] = [
  {
    key: 'identity/TRANSPORT',
    value: {
      status: 'active',
      roles: ['issuer'],
      accreditations: ['driving-licence'],
      parentId: 'AUTHORITY',
      registeredAt: 3,
      setAt: 4,
    },
  },
  {
    key: 'key/ed25519:E545QOZLVJFyIIjZoNdBYg',
    value: {
      identityId: 'TRANSPORT',
      publicKey: 'O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=',
      registeredAt: 3,
      retiredAt: null,
    },
  },
  {
    key: 'certification/crt_26edgtgkqev67amord246ro4',
    value: { status: 'active', issuerId: 'TRANSPORT', certifiedAt: 41, setAt: 41, batch: null },
  },
  {
    key: 'batch/bat_qkevnb7a3436xfd4fdu6w2m5',
    value: {
      issuerId: 'TRANSPORT',
      recordType: 'driving-licence',
      root: '5f0c6a7e2b1d4c3a9e8f7061524334251607f8e9dacbbcad9e8f70615243342f',
      count: 100,
      certifiedAt: 42,
    },
  },
  {
    // Record 0 of that batch, suspended at entry 50: its own key from its first status change on.
    key: 'certification/crt_ryyha2rur5bazwejwvsapnxj',
    value: {
      status: 'suspended',
      issuerId: 'TRANSPORT',
      certifiedAt: 42,
      setAt: 50,
      batch: { batchId: 'bat_qkevnb7a3436xfd4fdu6w2m5', index: 0 },
    },
  },
  {
    key: 'void/1234',
    value: { code: 'KEY_RETIRED', detail: 'key ed25519:E545QOZLVJFyIIjZoNdBYg was retired at entry 1233' },
  },
];

/** The realistic certification after RevokeCertification at entry 57. */
const REVOKED: JsonObject = {
  status: 'revoked',
  issuerId: 'TRANSPORT',
  certifiedAt: 41,
  setAt: 57,
  batch: null,
};

/** A 44-character base64 string that decodes to 32 bytes but is not canonical (non-zero trailing bits). */
function nonCanonical(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = alphabet.indexOf(text[42]!);
  return text.slice(0, 42) + alphabet[last ^ 1]! + text.slice(43);
}

/** Proofs that must be refused, each with the StateProofError code checkStateProof(parseStateProof(…)) gives. */
function invalidCases(
  realistic: InMemoryStateMap,
  updatedRoot: Uint8Array,
  sharedMap: InMemoryStateMap,
  sharedKey: string,
) {
  const root = toHex(realistic.root());
  const crt = REALISTIC[2]!;
  const member = stateProofToJson(realistic.prove(crt.key).proof);
  const emptyKey = absentKeyWith(realistic, 'certification/crt_absent_', 'empty');
  const leafKey = absentKeyWith(realistic, 'void/', 'leaf');
  const emptyProof = stateProofToJson(realistic.prove(emptyKey).proof);
  const leafProof = stateProofToJson(realistic.prove(leafKey).proof);
  const sharedProof = stateProofToJson(sharedMap.prove(sharedKey).proof);
  const sharedValue = sharedMap.get(sharedKey);
  const zeroAt = sharedProof.siblings.indexOf('');
  const ownKh = b64(stateKeyHash(crt.key));
  const ownVh = b64(stateValueHash(crt.value));
  const offPath = REALISTIC.map((e) => stateKeyHash(e.key)).find(
    (kh) => commonPrefixBits(kh, stateKeyHash(leafKey)) < leafProof.siblings.length,
  )!;
  const c = (
    name: string,
    key: string,
    value: JsonObject | null,
    proof: unknown,
    error: string,
    r = root,
  ) => ({
    name,
    root: r,
    key,
    value,
    proof,
    error,
  });
  return [
    c('a membership proof with another value', crt.key, REVOKED, member, 'ROOT_MISMATCH'),
    c(
      'the old proof against the root after the change',
      crt.key,
      crt.value,
      member,
      'ROOT_MISMATCH',
      toHex(updatedRoot),
    ),
    c(
      "absence claimed with the key's own leaf as terminal",
      crt.key,
      null,
      { siblings: member.siblings, terminal: { kind: 'leaf', keyHash: ownKh, valueHash: ownVh } },
      'TERMINAL_MISMATCH',
    ),
    c(
      "absence claimed with a leaf off the key's path",
      leafKey,
      null,
      { siblings: leafProof.siblings, terminal: { kind: 'leaf', keyHash: b64(offPath), valueHash: ownVh } },
      'TERMINAL_MISMATCH',
    ),
    c('membership claimed with an empty terminal', emptyKey, crt.value, emptyProof, 'TERMINAL_MISMATCH'),
    c('absence claimed with a value terminal', crt.key, null, member, 'TERMINAL_MISMATCH'),
    c(
      'an absence proof with its nearest sibling dropped',
      emptyKey,
      null,
      { siblings: emptyProof.siblings.slice(1), terminal: emptyProof.terminal },
      'ROOT_MISMATCH',
    ),
    c(
      'an absence proof with the root side extended by one sibling',
      emptyKey,
      null,
      { siblings: [...emptyProof.siblings, member.siblings[0]!], terminal: emptyProof.terminal },
      'ROOT_MISMATCH',
    ),
    c(
      '257 siblings',
      emptyKey,
      null,
      { siblings: Array(257).fill(''), terminal: { kind: 'empty' } },
      'PROOF_TOO_DEEP',
    ),
    c(
      'the empty hash written as base64 instead of ""',
      sharedKey,
      sharedValue,
      {
        siblings: sharedProof.siblings.map((s, i) => (i === zeroAt ? b64(new Uint8Array(32)) : s)),
        terminal: sharedProof.terminal,
      },
      'HASH_MALFORMED',
      toHex(sharedMap.root()),
    ),
    c(
      'a sibling of 31 bytes',
      crt.key,
      crt.value,
      { siblings: [b64(new Uint8Array(31).fill(7)), ...member.siblings.slice(1)], terminal: member.terminal },
      'HASH_MALFORMED',
    ),
    c(
      'a sibling in non-canonical base64',
      crt.key,
      crt.value,
      {
        siblings: [nonCanonical(member.siblings[0]!), ...member.siblings.slice(1)],
        terminal: member.terminal,
      },
      'HASH_MALFORMED',
    ),
    c(
      'a sibling in base64url',
      crt.key,
      crt.value,
      {
        siblings: member.siblings.map((s) => s.replaceAll('+', '-').replaceAll('/', '_')),
        terminal: member.terminal,
      },
      member.siblings.some((s) => /[+/]/.test(s)) ? 'HASH_MALFORMED' : 'ROOT_MISMATCH',
    ),
    c(
      'an unknown field',
      crt.key,
      crt.value,
      { ...member, depth: member.siblings.length },
      'PROOF_MALFORMED',
    ),
    c(
      'an unknown terminal kind',
      emptyKey,
      null,
      { siblings: emptyProof.siblings, terminal: { kind: 'absent' } },
      'PROOF_MALFORMED',
    ),
    c(
      'a terminal with an extra field',
      crt.key,
      crt.value,
      { siblings: member.siblings, terminal: { kind: 'value', value: crt.value } },
      'PROOF_MALFORMED',
    ),
    c(
      'siblings as a string',
      crt.key,
      crt.value,
      { siblings: member.siblings.join(','), terminal: member.terminal },
      'PROOF_MALFORMED',
    ),
  ];
}

function main(): void {
  const pair = sharedPrefixPair(200_000);
  const realistic = new InMemoryStateMap();
  for (const e of REALISTIC) realistic.set(e.key, e.value);
  const shared: Entry[] = [
    { key: pair.keys[0], value: { code: 'ACTOR_REVOKED', detail: 'HEALTH was revoked at entry 5' } },
    { key: pair.keys[1], value: { code: 'KEY_UNKNOWN', detail: 'no key ed25519:AAAAAAAAAAAAAAAAAAAAAA' } },
    {
      key: 'identity/HEALTH',
      value: {
        status: 'active',
        roles: ['issuer'],
        accreditations: [],
        parentId: 'AUTHORITY',
        registeredAt: 1,
        setAt: 1,
      },
    },
  ];
  const sharedMap = new InMemoryStateMap();
  for (const e of shared) sharedMap.set(e.key, e.value);
  const updated = REALISTIC.map((e) => (e.key === REALISTIC[2]!.key ? { key: e.key, value: REVOKED } : e));
  const updatedMap = new InMemoryStateMap();
  for (const e of updated) updatedMap.set(e.key, e.value);
  const vectors = {
    description:
      'Known-answer vectors of the Chancery state map (docs/state-map.md): a sparse Merkle tree over SHA-256 with shortcut leaves. ' +
      'Hashes in lowercase hex, proofs in their JSON wire form (standard padded base64, the empty hash as ""). ' +
      'Generated by test/unit/state-map/generate-vectors.ts; checked by test/unit/state-map/vectors.test.ts.',
    construction: {
      keyHash: 'SHA-256(UTF-8(key))',
      valueHash: 'SHA-256(RFC 8785 bytes of the value)',
      leafHash: 'SHA-256(0x00 || keyHash || valueHash)',
      nodeHash: 'SHA-256(0x01 || left || right)',
      empty: '32 zero bytes',
      bitOrder:
        'bit i of keyHash, most significant bit of byte 0 first, picks the child at depth i (0 left, 1 right)',
      siblings: 'nearest the terminal first',
    },
    maps: [
      mapCase(
        'empty',
        'The empty map: root is 32 zero bytes; every key is absent at depth 0.',
        [],
        ['identity/TRANSPORT'],
      ),
      mapCase(
        'one key',
        "A map of one key: the root is that key's leaf hash; another key's absence ends in that leaf at depth 0.",
        [REALISTIC[0]!],
        ['identity/HEALTH'],
      ),
      mapCase(
        'realistic',
        "One key of each kind. The absent keys were picked so that one proof ends in an empty subtree and one in another key's leaf.",
        REALISTIC,
        [
          absentKeyWith(realistic, 'certification/crt_absent_', 'empty'),
          absentKeyWith(realistic, 'void/', 'leaf'),
        ],
      ),
      mapCase(
        'shared prefix',
        `Two keys whose hashes share their first ${pair.bits} bits (found by brute force over void/0 … void/199999): ` +
          'their leaves sit below a run of internal nodes whose other child is empty (siblings written as "").',
        shared,
        [absentKeyWith(sharedMap, 'void/absent_', 'empty')],
      ),
      mapCase(
        'realistic, one status changed',
        'The realistic map after the certification was revoked: a new root; the old proofs fail against it.',
        updated,
        [],
      ),
    ],
    invalid: invalidCases(realistic, updatedMap.root(), sharedMap, pair.keys[0]),
  };
  const out = new URL('../../vectors/state-map.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(vectors, null, 2)}\n`);
  process.stdout.write(
    `wrote ${out.pathname} (shared prefix: ${pair.bits} bits, ${pair.keys.join(' / ')})\n`,
  );
}

main();
