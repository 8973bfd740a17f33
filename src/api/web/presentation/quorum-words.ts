/**
 * The witness quorum in the reader's words. The verifier describes it in
 * English ("2 of a, b, c"), as the CLI prints it; the page says the same
 * rule in Chinese for a Chinese reader. Pure.
 */
import { QUORUM_NONE, type TrustPolicy } from '../../../domain/federation/index.js';
import type { VerificationReport } from '../../../domain/proof/verify-bundle.js';
import type { Language } from '../i18n/catalogue.js';

/** The policy's quorum rule in Chinese: "a、b、c 中至少 2 个", "a、b 全部", nested groups in brackets. */
export function quorumInChinese(policy: TrustPolicy): string {
  if (policy.quorum === QUORUM_NONE) return '无需见证方联署';
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const describe = (name: string, depth: number): string => {
    const group = groups.get(name);
    // A cycle cannot be parsed into a policy, but the depth bound keeps a hostile one from recursing forever.
    if (group === undefined || depth > 8) return name;
    const members = group.members.map((m) => describe(m, depth + 1)).join('、');
    const rule =
      group.threshold === group.members.length && group.members.length > 1
        ? `${members} 全部`
        : `${members} 中至少 ${group.threshold} 个`;
    return depth === 0 ? rule : `（${rule}）`;
  };
  return describe(policy.quorum, 0);
}

/** The report with its quorum rule in the reader's language (English keeps the verifier's words). */
export function withQuorumIn(
  report: VerificationReport,
  policy: TrustPolicy | undefined,
  language: Language,
): VerificationReport {
  if (language !== 'zh-CN' || policy === undefined || report.witnessing === undefined) return report;
  return { ...report, witnessing: { ...report.witnessing, quorum: quorumInChinese(policy) } };
}
