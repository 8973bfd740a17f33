import type { AlertKind } from '../../infrastructure/federation/federation-alerts.js';

/** Something upstream said that a correct log could not have: the mirror stops and raises an alert. */
export class MirrorHalt extends Error {
  constructor(
    readonly kind: AlertKind,
    message: string,
    readonly cosigned: string | null,
    readonly submitted: string | null,
    readonly proof: readonly string[] = [],
  ) {
    super(message);
    this.name = 'MirrorHalt';
  }
}
