/**
 * How recent a checkpoint's witnessing is. A tlog-cosignature/v1 carries the
 * time the witness cosigned; a witness cosigns only a checkpoint consistent
 * with the newest it has seen, so at that time the checkpoint was (as far as
 * that witness knew) current. A quorum vouches for the time by which all of
 * a quorum had cosigned: one eager or colluding witness cannot move it.
 *
 * Pure: no node:* imports, no clock, no I/O.
 */

import { type Cosigner, isQuorumMet, QUORUM_NONE, type TrustPolicy } from '../federation/index.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step } from './verification-step.js';

/**
 * The largest t such that the witnesses that cosigned at or after t meet the policy's quorum; null when no
 * quorum cosigned at all (or the policy asks for none, so no witness time vouches for anything).
 */
export function quorumTime(policy: TrustPolicy, cosigners: readonly Cosigner[]): number | null {
  if (policy.quorum === QUORUM_NONE) return null;
  const times = [
    ...new Set(cosigners.flatMap((c) => (c.cosigned && c.timestamp !== null ? [c.timestamp] : []))),
  ].sort((a, b) => b - a);
  for (const t of times) {
    const since = new Set(
      cosigners.filter((c) => c.cosigned && c.timestamp !== null && c.timestamp >= t).map((c) => c.name),
    );
    if (isQuorumMet(policy, since)) return t;
  }
  return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 UTC of epoch seconds, computed (days to civil date, Howard Hinnant's algorithm): no Date object here. */
export function rfc3339Seconds(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const time = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}Z`;
}

/** Whether the proven state is recent enough: it passes without a maximum age unless it is unknown. */
export function freshnessStep(
  asOf: number | null,
  now: number,
  maxAgeSeconds: number | undefined,
): VerificationStep {
  return step('freshness', () => {
    if (asOf === null) {
      ensure(
        maxAgeSeconds === undefined,
        `no witness quorum vouches for a time, so the state's age is unknown (maximum age ${maxAgeSeconds} s)`,
      );
      return "No witness quorum vouches for a time: the state is as of the log's checkpoint, whose time only the log asserts.";
    }
    const age = Math.max(0, Math.floor(now / 1000) - asOf);
    ensure(
      maxAgeSeconds === undefined || age <= maxAgeSeconds,
      `the state is proven as of ${rfc3339Seconds(asOf)}, ${age} s ago: older than the maximum age of ${maxAgeSeconds} s`,
    );
    return `The state is proven as of ${rfc3339Seconds(asOf)}, when the witnesses had cosigned the checkpoint.`;
  });
}
