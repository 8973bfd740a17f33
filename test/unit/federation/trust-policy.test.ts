import { describe, expect, it } from 'vitest';
import {
  describeQuorum,
  FederationError,
  isQuorumMet,
  MAX_POLICY_WITNESSES,
  parseTrustPolicy,
  policyDigest,
  policyForWitnesses,
  type TrustPolicy,
  withCosignatures,
  witnessingOf,
} from '../../../src/domain/federation/index.js';
import { LogProofError, parseNote } from '../../../src/domain/log/index.js';
import { logVkey, ORIGIN, signedCheckpoint, testWitness, verify } from './federation-fixtures.js';

const [w1, w2, w3, y1, y2] = [1, 2, 3, 4, 5].map((n) => testWitness(n)) as [
  ReturnType<typeof testWitness>,
  ReturnType<typeof testWitness>,
  ReturnType<typeof testWitness>,
  ReturnType<typeof testWitness>,
  ReturnType<typeof testWitness>,
];

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FederationError);
    expect((error as FederationError).code).toBe(code);
    if (message !== undefined) expect((error as Error).message).toMatch(message);
    return;
  }
  expect.fail(`expected FederationError ${code}`);
}

const twoLevel = [
  '# the spec example, with keys',
  `log ${logVkey} https://log.example`,
  '',
  `witness X1 ${w1.vkey}`,
  `witness X2\t${w2.vkey}   https://x2.example/`,
  `witness X3 ${w3.vkey}`,
  'group X-witnesses 2 X1 X2 X3',
  `witness Y1 ${y1.vkey}`,
  `witness Y2 ${y2.vkey}`,
  '  group Y-witnesses any Y1 Y2  ',
  'group X-and-Y all X-witnesses Y-witnesses',
  'quorum X-and-Y',
  '',
].join('\n');

describe('parseTrustPolicy', () => {
  it('reads logs, witnesses with optional URLs, nested groups and the quorum, ignoring comments and blanks', () => {
    const policy = parseTrustPolicy(twoLevel);
    expect(policy.text).toBe(twoLevel);
    expect(policy.logs).toEqual([
      expect.objectContaining({ vkey: logVkey, origin: ORIGIN, url: 'https://log.example' }),
    ]);
    expect(policy.witnesses.map((w) => [w.name, w.key.name, w.url])).toEqual([
      ['X1', w1.name, null],
      ['X2', w2.name, 'https://x2.example/'],
      ['X3', w3.name, null],
      ['Y1', y1.name, null],
      ['Y2', y2.name, null],
    ]);
    expect(policy.groups).toEqual([
      { name: 'X-witnesses', threshold: 2, members: ['X1', 'X2', 'X3'] },
      { name: 'Y-witnesses', threshold: 1, members: ['Y1', 'Y2'] },
      { name: 'X-and-Y', threshold: 2, members: ['X-witnesses', 'Y-witnesses'] },
    ]);
    expect(policy.quorum).toBe('X-and-Y');
  });

  it('evaluates nested k-of-n groups', () => {
    const policy = parseTrustPolicy(twoLevel);
    const met = (...names: string[]) => isQuorumMet(policy, new Set(names));
    expect(met('X1', 'X2', 'Y2')).toBe(true);
    expect(met('X1', 'X3', 'Y1', 'Y2')).toBe(true);
    expect(met('X1', 'X2', 'X3')).toBe(false); // no Y
    expect(met('X1', 'Y1', 'Y2')).toBe(false); // one X
    expect(met()).toBe(false);
    // Group names and unknown names count for nothing on their own.
    expect(met('X-witnesses', 'Y-witnesses', 'X-and-Y')).toBe(false);
    expect(describeQuorum(policy)).toBe('all (2 of X1, X2, X3), (1 of Y1, Y2)');
  });

  it('accepts quorum none with no witnesses, and a single witness as the quorum', () => {
    const none = parseTrustPolicy(`log ${logVkey}\nquorum none\n`);
    expect(isQuorumMet(none, new Set())).toBe(true);
    expect(describeQuorum(none)).toBe('no cosignature required');
    const single = parseTrustPolicy(`witness W ${w1.vkey}\nquorum W\n`);
    expect(isQuorumMet(single, new Set(['W']))).toBe(true);
    expect(isQuorumMet(single, new Set())).toBe(false);
  });

  it.each([
    ['no quorum line', `log ${logVkey}\n`, 'POLICY_MALFORMED', /no quorum/],
    ['two quorum lines', `witness A ${w1.vkey}\nquorum A\nquorum none\n`, 'POLICY_MALFORMED', /exactly one/],
    [
      'a quorum naming a later group',
      `quorum G\nwitness A ${w1.vkey}\ngroup G any A\n`,
      'POLICY_NAME_UNKNOWN',
      /G/,
    ],
    [
      'a group naming an unknown member',
      `witness A ${w1.vkey}\ngroup G 1 A B\nquorum G\n`,
      'POLICY_NAME_UNKNOWN',
      /B/,
    ],
    [
      'a member listed twice',
      `witness A ${w1.vkey}\ngroup G 1 A A\nquorum G\n`,
      'POLICY_DUPLICATE',
      /A listed twice/,
    ],
    [
      'a name defined twice',
      `witness A ${w1.vkey}\nwitness A ${w2.vkey}\nquorum A\n`,
      'POLICY_DUPLICATE',
      /twice/,
    ],
    [
      'a witness key listed twice',
      `witness A ${w1.vkey}\nwitness B ${w1.vkey}\nquorum A\n`,
      'POLICY_DUPLICATE',
      /key/,
    ],
    [
      'a log key listed twice',
      `log ${logVkey}\nlog ${logVkey}\nquorum none\n`,
      'POLICY_DUPLICATE',
      /log key/,
    ],
    ['a threshold above n', `witness A ${w1.vkey}\ngroup G 2 A\nquorum G\n`, 'POLICY_MALFORMED', /exceeds/],
    ['a threshold of 0', `witness A ${w1.vkey}\ngroup G 0 A\nquorum G\n`, 'POLICY_MALFORMED', /threshold/],
    [
      'a threshold with a leading zero',
      `witness A ${w1.vkey}\ngroup G 01 A\nquorum G\n`,
      'POLICY_MALFORMED',
      /threshold/,
    ],
    [
      'a group with no members',
      `witness A ${w1.vkey}\ngroup G any\nquorum G\n`,
      'POLICY_MALFORMED',
      /expected/,
    ],
    ['"none" as a witness name', `witness none ${w1.vkey}\nquorum none\n`, 'POLICY_MALFORMED', /reserved/],
    ['a log key of witness type', `log ${w1.vkey}\nquorum none\n`, 'POLICY_MALFORMED', /type/],
    ['a witness key of log type', `witness A ${logVkey}\nquorum A\n`, 'POLICY_MALFORMED', /type/],
    ['an unknown keyword', `logs ${logVkey}\nquorum none\n`, 'POLICY_MALFORMED', /unknown keyword/],
    ['a CR line ending', `log ${logVkey}\r\nquorum none\r\n`, 'POLICY_MALFORMED', /U\+000d/],
    ['no final newline', `log ${logVkey}\nquorum none`, 'POLICY_MALFORMED', /final newline/],
    [
      'extra items on a line',
      `log ${logVkey} https://a https://b\nquorum none\n`,
      'POLICY_MALFORMED',
      /expected/,
    ],
  ])('refuses %s', (_what, text, code, message) => {
    expectCode(() => parseTrustPolicy(text), code, message);
  });

  it(`bounds the number of witnesses at ${MAX_POLICY_WITNESSES}`, () => {
    const lines = Array.from(
      { length: MAX_POLICY_WITNESSES + 1 },
      (_, i) => `witness w${i} ${testWitness(i + 10).vkey}`,
    );
    expectCode(() => parseTrustPolicy(`${lines.join('\n')}\nquorum none\n`), 'POLICY_LIMIT');
  });

  it('policyForWitnesses builds a k-of-n policy named after the witnesses, and its digest is of the text', () => {
    const policy = policyForWitnesses(
      logVkey,
      [
        { vkey: w1.vkey, url: 'http://127.0.0.1:1' },
        { vkey: w2.vkey },
        { vkey: testWitness(9, w1.name).vkey },
      ],
      2,
    );
    expect(policy.witnesses.map((w) => w.name)).toEqual([w1.name, w2.name, `${w1.name}#2`]);
    expect(policy.groups).toEqual([
      { name: 'witnesses', threshold: 2, members: [w1.name, w2.name, `${w1.name}#2`] },
    ]);
    expect(policy.text.split('\n')[1]).toBe(`witness ${w1.name} ${w1.vkey} http://127.0.0.1:1`);
    expect(policyDigest(policy.text)).toMatch(/^[0-9a-f]{64}$/);
    expect(policyForWitnesses(logVkey, [], 1).quorum).toBe('none');
  });
});

describe('witnessingOf and withCosignatures', () => {
  const policy: TrustPolicy = policyForWitnesses(logVkey, [w1, w2, w3], 2);
  const note = signedCheckpoint(7);

  it('reports which witnesses cosigned, with their timestamps, and whether the quorum is met', () => {
    const one = withCosignatures(note, [w2.cosign(note, 1_800_000_000)], policy);
    const report = witnessingOf(one, policy, verify);
    expect(report.checkpoint.treeSize).toBe(7);
    expect(report.cosigners).toEqual([
      { name: w1.name, keyName: w1.name, cosigned: false, timestamp: null },
      { name: w2.name, keyName: w2.name, cosigned: true, timestamp: 1_800_000_000 },
      { name: w3.name, keyName: w3.name, cosigned: false, timestamp: null },
    ]);
    expect(report.quorumMet).toBe(false);
    const two = withCosignatures(one, [w3.cosign(note), w1.cosign(note)], policy);
    expect(witnessingOf(two, policy, verify).quorumMet).toBe(true);
  });

  it('orders cosignatures by policy order after the log signature and keeps a published line over a new one', () => {
    const first = withCosignatures(note, [w3.cosign(note, 1), w1.cosign(note, 2)], policy);
    const again = withCosignatures(first, [w2.cosign(note, 3), w1.cosign(note, 99)], policy);
    const names = parseNote(again).signatures.map((s) => s.keyName);
    expect(names).toEqual([ORIGIN, w1.name, w2.name, w3.name]);
    // w1's first cosignature (time 2) stays: a line once published never changes.
    expect(witnessingOf(again, policy, verify).cosigners[0]!.timestamp).toBe(2);
    expect(again.startsWith(first.slice(0, first.indexOf('\u2014', first.indexOf('\u2014') + 1)))).toBe(true);
  });

  it('rejects a note whose cosignature was tampered with, and a note no policy log signed', () => {
    const cosigned = withCosignatures(note, [w1.cosign(note)], policy);
    const lines = cosigned.split('\n');
    const last = lines[lines.length - 2]!;
    lines[lines.length - 2] = last.slice(0, -6) + (last.slice(-6, -5) === 'A' ? 'B' : 'A') + last.slice(-5);
    expect(() => witnessingOf(lines.join('\n'), policy, verify)).toThrowError(LogProofError);
    const foreign = parseTrustPolicy(`witness A ${w1.vkey}\nquorum A\n`);
    expect(() => witnessingOf(cosigned, foreign, verify)).toThrowError(
      /no trusted key|NOTE_UNVERIFIED|no signature/,
    );
    // The log key can come from beside the policy (chancery verify --trust with --policy).
    expect(witnessingOf(cosigned, foreign, verify, [logVkey]).quorumMet).toBe(true);
  });
});
