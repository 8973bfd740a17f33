/**
 * The plain-language text under each step of the page. It follows the
 * step's result: a failed status step never says the record was not
 * revoked, and a checkpoint without witnesses never says the witnesses
 * cosigned it. Pure, like the headline.
 */
import type { VerificationReport, VerificationStep } from '../../../domain/proof/verify-bundle.js';
import type { Message, MessageKey } from '../i18n/catalogue.js';
import { bundleFacts, validityProblem } from './bundle-facts.js';
import { onlyQuorumShort } from './citizen-headline.js';

type Outcome = 'pass' | 'fail';

function checkpointText(step: VerificationStep, report: VerificationReport): string {
  if (!step.ok) return onlyQuorumShort(report) ? 'pending' : 'fail';
  const witnessed = report.witnessing !== undefined && report.witnessing.cosigners.length > 0;
  return witnessed ? 'pass' : 'passNoWitnesses';
}

function statusText(step: VerificationStep, report: VerificationReport): string {
  if (step.ok) return 'pass';
  // The proven state is set only once its map proof checked out; anything else is an unproven status.
  if (report.state?.status === 'revoked') return 'revoked';
  if (report.state?.status === 'suspended') return 'suspended';
  return 'fail';
}

function validityText(step: VerificationStep, bundle: unknown, now: number): string {
  if (step.ok) return 'pass';
  const problem = validityProblem(bundleFacts(bundle), now);
  if (problem === 'expired') return 'expired';
  if (problem === 'not-yet-valid') return 'notYet';
  return 'fail';
}

function freshnessText(step: VerificationStep, report: VerificationReport): string {
  if (!step.ok) return 'fail';
  const asOf = report.state?.asOf ?? report.witnessing?.asOf ?? null;
  return asOf === null ? 'passUnknown' : 'pass';
}

/** The explanation of one step of a report about `bundle`, judged at `now` (ms since the epoch). */
export function explainStep(
  step: VerificationStep,
  report: VerificationReport,
  bundle: unknown,
  now: number,
): Message {
  const outcome: Outcome = step.ok ? 'pass' : 'fail';
  let variant: string = outcome;
  if (step.id === 'checkpoint') variant = checkpointText(step, report);
  else if (step.id === 'status') variant = statusText(step, report);
  else if (step.id === 'validity') variant = validityText(step, bundle, now);
  else if (step.id === 'freshness') variant = freshnessText(step, report);
  // Every variant above is in both catalogues; the unit tests render each one.
  return { key: `step.explain.${step.id}.${variant}` as MessageKey };
}
