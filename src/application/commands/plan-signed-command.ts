import type { CommandPayload } from '../../domain/crypto/envelope.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import { CERTIFICATION_PLANNERS } from '../certification/certification-plans.js';
import { DIRECTORY_PLANNERS } from '../directory/directory-plans.js';
import { IDENTITY_PLANNERS } from '../identity/identity-plans.js';
import type { CommandInputs, CommandPlan, PlanContext, Planner } from '../pipeline/command-plan.js';
import { ProblemError } from '../problems/problem.js';

/** Every signed command type the node runs, by capability. The genesis (RegisterAuthority) is planned apart. */
const PLANNERS: ReadonlyMap<string, Planner> = new Map(
  Object.entries({ ...IDENTITY_PLANNERS, ...CERTIFICATION_PLANNERS, ...DIRECTORY_PLANNERS }),
);

/**
 * Translates a verified payload into a domain command aimed at one stream. The API and a mirror's
 * replay both plan here, each against its own read models (`context`).
 */
export function planSignedCommand(
  payload: CommandPayload,
  actor: ActorSnapshot,
  context: PlanContext,
  inputs: CommandInputs = {},
): CommandPlan {
  const planner = PLANNERS.get(payload.type);
  if (planner === undefined)
    throw new ProblemError('COMMAND_TYPE_MISMATCH', `unknown command type ${payload.type}`);
  return planner(payload, actor, context, inputs);
}
