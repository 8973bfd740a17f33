import type { FastifyInstance } from 'fastify';
import { installAnswersPerConnection } from './answers-per-connection.js';
import { installJsonBodyParser } from './json-body-parser.js';
import { DEFAULT_LOAD_LIMITS, installLoadShedding, type LoadLimits } from './load-shedding.js';
import { installSendStallTimeout } from './send-stall-timeout.js';
import { SEND_STALL_TIMEOUT_MS } from './server-limits.js';

/** Bounds on what any request may cost, installed on the root instance before any route. */
export function installHardening(app: FastifyInstance, limits: LoadLimits = DEFAULT_LOAD_LIMITS): void {
  installJsonBodyParser(app);
  // Before load shedding: a request past its connection's cap takes no in-flight slot.
  installAnswersPerConnection(app, limits.maxUnansweredPerConnection, limits.maxQueuedAnswerBytes);
  installLoadShedding(app, limits);
  installSendStallTimeout(app.server, SEND_STALL_TIMEOUT_MS);
}
