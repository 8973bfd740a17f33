/** Writes by command type on /metrics: every signed command the one pipeline accepted. */

import { CommandService } from '../application/commands/command-service.js';
import type { CounterVec, MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';

type Execute = CommandService['execute'];

export class MeteredCommandService extends CommandService {
  private readonly writes: CounterVec;

  constructor(options: ConstructorParameters<typeof CommandService>[0], metrics: MetricsRegistry) {
    super(options);
    this.writes = metrics.counterVec(
      'chancery_writes_total',
      'Signed commands accepted (durable and valid in log order), by command type.',
      ['type'],
    );
  }

  override async execute(...args: Parameters<Execute>): ReturnType<Execute> {
    const result = await super.execute(...args);
    // Counted after success only: the type is then one the planner knows, so the label set stays bounded.
    this.writes.inc({ type: String(args[0].payload.type) });
    return result;
  }
}
