import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/api/web/i18n/catalogue.js';
import { translator } from '../../../src/api/web/i18n/page-i18n.js';
import {
  type CitizenHeadline,
  citizenHeadline,
  type HeadlineInput,
} from '../../../src/api/web/presentation/citizen-headline.js';
import { explainStep } from '../../../src/api/web/presentation/step-explanation.js';
import type {
  VerificationReport,
  VerificationStep,
  VerificationStepId,
  WitnessingSummary,
} from '../../../src/domain/proof/verify-bundle.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const V2_STEPS: VerificationStepId[] = [
  'signature',
  'authority',
  'inclusion',
  'checkpoint',
  'validity',
  'status',
  'freshness',
];

function steps(failed: readonly VerificationStepId[], ids = V2_STEPS): VerificationStep[] {
  return ids.map((id) => ({ id, label: id, ok: !failed.includes(id), detail: `${id} detail` }));
}

function witnessing(cosigned: number, total: number, quorumMet: boolean): WitnessingSummary {
  return {
    cosigners: Array.from({ length: total }, (_, i) => ({
      name: `w${i}`,
      keyName: `w${i}`,
      cosigned: i < cosigned,
      timestamp: i < cosigned ? 1_795_000_000 : null,
    })),
    quorumMet,
    quorum: `2 of ${Array.from({ length: total }, (_, i) => `w${i}`).join(', ')}`,
    policyDigest: '00'.repeat(32),
    samePolicyAsNode: true,
    asOf: quorumMet ? 1_795_000_000 : null,
  };
}

function report(
  failed: VerificationStepId[],
  extra: Partial<VerificationReport> = {},
  ids = V2_STEPS,
): VerificationReport {
  const all = steps(failed, ids);
  return {
    ok: all.every((s) => s.ok),
    headline: 'not-verified',
    version: 2,
    caveats: [],
    steps: all,
    state: { status: 'active', setAt: 3, treeSize: 9, asOf: 1_795_000_000 },
    witnessing: witnessing(3, 3, true),
    ...extra,
  };
}

const BUNDLE = {
  version: 2,
  entry: { data: { issuerId: 'DMV', validFrom: '2026-01-01T00:00:00Z', validUntil: '2036-01-01T00:00:00Z' } },
};
const REVOKED_BUNDLE = {
  ...BUNDLE,
  statusEntry: { entry: { data: { at: '2026-11-21T10:00:00Z', by: 'DMV', reason: 'licence withdrawn' } } },
};

const en = translator('en');
const zh = translator('zh-CN');
const format = {
  date: (value: string | number) => `<${String(value)}>`,
  steps: (ids: readonly VerificationStepId[]) => ids.join(', '),
};

function headline(input: Partial<HeadlineInput> & { report: VerificationReport }): CitizenHeadline {
  return citizenHeadline({ bundle: BUNDLE, now: NOW, ...input }, format);
}

function say(message: Message, t = en): string {
  const text = t(message.key, message.params);
  // A missing key comes back as the key itself: that would be shown to a citizen.
  expect(text).not.toBe(message.key);
  expect(text).not.toMatch(/\{\{/);
  return text;
}

function words(h: CitizenHeadline, t = en): string {
  return [h.title, ...h.detail, h.next].map((m) => say(m, t)).join(' | ');
}

describe('the citizen headline says the truth for each state', () => {
  it('every check passed with a met quorum: authentic, current and final (good)', () => {
    const h = headline({ report: report([]) });
    expect(h).toMatchObject({ verdict: 'verified', tone: 'good', icon: '✓' });
    expect(words(h)).toBe(
      'Verified: authentic, current and final | DMV certified this record. It is in the public log, within its validity period, not suspended or revoked, and the witnesses have confirmed the log. | Its status is proven as of <1795000000000>, when the witnesses cosigned. | You can rely on this record. To check a paper or PDF copy, choose or drop the file below.',
    );
    expect(say(h.title, zh)).toBe('已验证：真实、有效、已最终确认');
  });

  it('a node without witnesses: verified, but it says that only the log vouches', () => {
    const { witnessing: _, ...noWitnesses } = report([]);
    const h = headline({ report: noWitnesses });
    expect(h.verdict).toBe('verified');
    expect(say(h.detail[0]!)).toContain('No independent witnesses are configured');
  });

  it('the right document dropped: verified, and it says the file is the certified one', () => {
    const h = headline({ report: report([], {}, [...V2_STEPS, 'document']), documentName: 'licence.pdf' });
    expect(h.verdict).toBe('verified');
    expect(h.detail.map((m) => say(m, zh))).toContain('您的文件与认证文件完全一致。');
  });

  it('witnesses short of the quorum: authentic, finality pending (caution, not the forgery headline)', () => {
    const h = headline({ report: report(['checkpoint'], { witnessing: witnessing(1, 3, false) }) });
    expect(h).toMatchObject({ verdict: 'pending', tone: 'caution' });
    expect(say(h.detail[0]!)).toBe(
      'DMV certified this record and it is in the public log, but only 1 of 3 witnesses have confirmed the log so far (needed: 2 of w0, w1, w2).',
    );
    expect(say(h.title, zh)).toBe('真实，尚待最终确认');
  });

  it('a checkpoint failure that is not about the quorum is do-not-trust', () => {
    const { witnessing: _, ...noSummary } = report(['checkpoint']);
    expect(headline({ report: noSummary }).verdict).toBe('do-not-trust');
  });

  it('revoked: with the date, by whom and the reason from the proven status entry', () => {
    const r = report(['status'], { state: { status: 'revoked', setAt: 5, treeSize: 9, asOf: null } });
    const h = headline({ report: r, bundle: REVOKED_BUNDLE });
    expect(h).toMatchObject({ verdict: 'revoked', tone: 'bad', icon: '⊘' });
    expect(say(h.detail[0]!)).toBe(
      'DMV revoked this record on <2026-11-21T10:00:00Z>. Reason: licence withdrawn',
    );
    expect(say(h.detail[0]!, zh)).toBe('DMV 已于 <2026-11-21T10:00:00Z> 撤销此记录。原因：licence withdrawn');
    expect(say(h.title, zh)).toBe('已撤销');
  });

  it('suspended: with the date, by whom and the reason', () => {
    const r = report(['status'], { state: { status: 'suspended', setAt: 5, treeSize: 9, asOf: null } });
    const h = headline({ report: r, bundle: REVOKED_BUNDLE });
    expect(h.verdict).toBe('suspended');
    expect(say(h.detail[0]!)).toBe(
      'DMV suspended this record on <2026-11-21T10:00:00Z>. Reason: licence withdrawn',
    );
    expect(say(h.title, zh)).toBe('已暂停');
  });

  it('a failed status step without a proven revoked or suspended state is do-not-trust', () => {
    const { state: _, ...unproven } = report(['status']);
    expect(headline({ report: unproven, bundle: REVOKED_BUNDLE }).verdict).toBe('do-not-trust');
  });

  it('expired, and not yet valid, by the validity dates and the time given', () => {
    const expired = headline({ report: report(['validity']), now: Date.parse('2037-01-01T00:00:00Z') });
    expect(expired.verdict).toBe('expired');
    expect(say(expired.detail[0]!)).toBe(
      'This record is authentic, but it was valid only until <2036-01-01T00:00:00Z>.',
    );
    expect(say(expired.title, zh)).toBe('已过期');
    const early = headline({ report: report(['validity']), now: Date.parse('2025-06-01T00:00:00Z') });
    expect(early).toMatchObject({ verdict: 'not-yet-valid', tone: 'caution' });
    expect(say(early.title, zh)).toBe('尚未生效');
  });

  it('unreadable validity dates are do-not-trust, not "expired"', () => {
    const bundle = { entry: { data: { issuerId: 'DMV', validFrom: 'soon', validUntil: null } } };
    expect(headline({ report: report(['validity']), bundle }).verdict).toBe('do-not-trust');
  });

  it('a wrong file dropped on a genuine record: this file is not the certified document', () => {
    const h = headline({
      report: report(['document'], {}, [...V2_STEPS, 'document']),
      documentName: 'copy.pdf',
    });
    expect(h).toMatchObject({ verdict: 'wrong-document', tone: 'bad' });
    expect(say(h.detail[0]!)).toBe(
      'The fingerprint of copy.pdf differs from the document DMV certified. The record is genuine; this file is a different or altered one.',
    );
    expect(say(h.title, zh)).toBe('文件与认证文件不符');
  });

  it('a tampered bundle (signature and inclusion fail): do not trust, naming the failed checks', () => {
    const h = headline({ report: report(['signature', 'inclusion']) });
    expect(h).toMatchObject({ verdict: 'do-not-trust', tone: 'bad', icon: '✗' });
    expect(say(h.detail[0]!)).toBe(
      'Failed: signature, inclusion. The proof was altered, is incomplete, or comes from another log.',
    );
    expect(say(h.title, zh)).toBe('请勿信任：证明未通过核验');
  });

  it('tampering wins over everything else: a forged record with a wrong file is do-not-trust', () => {
    const r = report(['signature', 'document'], {}, [...V2_STEPS, 'document']);
    expect(headline({ report: r }).verdict).toBe('do-not-trust');
  });

  it('an unreadable bundle is do-not-trust', () => {
    const r: VerificationReport = {
      ok: false,
      headline: 'not-verified',
      caveats: [],
      steps: steps(['bundle'], ['bundle']),
    };
    expect(headline({ report: r, bundle: 'junk' }).verdict).toBe('do-not-trust');
  });

  it('a stale state (freshness failed only): authentic, status not confirmed', () => {
    const h = headline({ report: report(['freshness']) });
    expect(h).toMatchObject({ verdict: 'stale', tone: 'caution' });
    expect(say(h.detail[0]!)).toContain('proven as of <1795000000000>');
  });

  it('a version 1 bundle that passes: authentic, but limited (caution)', () => {
    const r = report([], { version: 1, caveats: ['no-current-state'] }, [
      'signature',
      'inclusion',
      'checkpoint',
      'validity',
      'status',
    ]);
    expect(headline({ report: r })).toMatchObject({ verdict: 'limited', tone: 'caution' });
  });

  it('every headline is in both languages', () => {
    const cases: HeadlineInput[] = [
      { report: report([]), bundle: BUNDLE, now: NOW },
      { report: report(['checkpoint'], { witnessing: witnessing(0, 2, false) }), bundle: BUNDLE, now: NOW },
      {
        report: report(['status'], { state: { status: 'revoked', setAt: 5, treeSize: 9, asOf: null } }),
        bundle: BUNDLE,
        now: NOW,
      },
      {
        report: report(['status'], { state: { status: 'suspended', setAt: 5, treeSize: 9, asOf: null } }),
        bundle: BUNDLE,
        now: NOW,
      },
      {
        report: report(['freshness'], { state: { status: 'active', setAt: 1, treeSize: 9, asOf: null } }),
        bundle: BUNDLE,
        now: NOW,
      },
    ];
    for (const c of cases) {
      const h = citizenHeadline(c, format);
      expect(words(h, zh)).toMatch(/[\u4e00-\u9fff]/);
      words(h, en);
    }
  });
});

describe('the text under each step follows its result', () => {
  function explain(
    r: VerificationReport,
    id: VerificationStepId,
    bundle: unknown = BUNDLE,
    now = NOW,
  ): string {
    const step = r.steps.find((s) => s.id === id)!;
    return say(explainStep(step, r, bundle, now));
  }

  it('status: passed says not revoked; revoked says revoked; never "has not revoked" under a failure', () => {
    expect(explain(report([]), 'status')).toMatch(/has not suspended or revoked/);
    const revoked = report(['status'], { state: { status: 'revoked', setAt: 5, treeSize: 9, asOf: null } });
    expect(explain(revoked, 'status')).toBe(
      'The department revoked this record. The revocation is itself recorded in the public log and proven here.',
    );
    const suspended = report(['status'], {
      state: { status: 'suspended', setAt: 5, treeSize: 9, asOf: null },
    });
    expect(explain(suspended, 'status')).toMatch(/^The department suspended this record/);
    const { state: _, ...unproven } = report(['status']);
    expect(explain(unproven, 'status')).toBe("The record's current status could not be proven.");
  });

  it('checkpoint: "the witnesses below cosigned it" only when there are witnesses and they met the quorum', () => {
    expect(explain(report([]), 'checkpoint')).toMatch(/the witnesses below cosigned it/);
    const { witnessing: _, ...none } = report([]);
    expect(explain(none, 'checkpoint')).toMatch(/No independent witnesses are configured/);
    expect(explain(none, 'checkpoint')).not.toMatch(/witnesses below/);
    const pending = report(['checkpoint'], { witnessing: witnessing(1, 3, false) });
    expect(explain(pending, 'checkpoint')).toMatch(/not yet enough witnesses have cosigned it/);
    const { witnessing: __, ...forged } = report(['checkpoint']);
    expect(explain(forged, 'checkpoint')).toMatch(/does not check out/);
  });

  it('validity: pass, expired, not yet, unreadable', () => {
    expect(explain(report([]), 'validity')).toMatch(/is within the validity period/);
    expect(explain(report(['validity']), 'validity', BUNDLE, Date.parse('2040-01-01T00:00:00Z'))).toMatch(
      /has ended/,
    );
    expect(explain(report(['validity']), 'validity', BUNDLE, Date.parse('2020-01-01T00:00:00Z'))).toMatch(
      /has not begun/,
    );
    expect(explain(report(['validity']), 'validity', { entry: { data: {} } })).toMatch(/cannot be read/);
  });

  it('document: the same fingerprint vs a different file', () => {
    const ids = [...V2_STEPS, 'document'] as VerificationStepId[];
    expect(explain(report([], {}, ids), 'document')).toMatch(/is the certified one/);
    expect(explain(report(['document'], {}, ids), 'document')).toMatch(/differs from the certified one/);
  });

  it('freshness: a witness time, no witness time, failed', () => {
    expect(explain(report([]), 'freshness')).toMatch(/Independent witnesses cosigned/);
    const { witnessing: _, ...none } = report([], {
      state: { status: 'active', setAt: 1, treeSize: 9, asOf: null },
    });
    expect(explain(none, 'freshness')).toMatch(/No witness quorum vouches/);
    expect(explain(report(['freshness']), 'freshness')).toMatch(/could not be confirmed as recent/);
  });

  it('every other step has a pass and a fail text in both languages, and they differ', () => {
    for (const id of ['bundle', 'signature', 'inclusion', 'authority', 'batch'] as const) {
      const ids = [...V2_STEPS, 'bundle', 'batch'] as VerificationStepId[];
      const pass = explainStep(report([], {}, ids).steps.find((s) => s.id === id)!, report([]), BUNDLE, NOW);
      const fail = explainStep(
        report([id], {}, ids).steps.find((s) => s.id === id)!,
        report([id]),
        BUNDLE,
        NOW,
      );
      expect(say(pass)).not.toBe(say(fail));
      expect(say(pass, zh)).not.toBe(say(fail, zh));
    }
  });
});
