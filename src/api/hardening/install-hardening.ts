import type { FastifyInstance } from 'fastify';
import { installJsonBodyParser } from './json-body-parser.js';
import { DEFAULT_LOAD_LIMITS, installLoadShedding, type LoadLimits } from './load-shedding.js';

/** Bounds on what any request may cost, installed on the root instance before any route. */
export function installHardening(app: FastifyInstance, limits: LoadLimits = DEFAULT_LOAD_LIMITS): void {
  installJsonBodyParser(app);
  installLoadShedding(app, limits);
}
