import type { NodeStatus } from '../../client/index.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { fieldLines } from '../command-line/output.js';
import { NodeConnection } from '../node-access/node-connection.js';

/** Says plainly when a node has no policy: then no checkpoint it serves can be final. */
function trustPolicyLine(status: NodeStatus): string {
  if (status.trustPolicy === null || status.trustPolicy === undefined)
    return `none yet: no witness quorum is known here, so no checkpoint is final (${status.role})`;
  const final = status.final ? 'latest checkpoint final' : 'latest checkpoint NOT final yet';
  return `${status.trustPolicy}; ${final}`;
}

export const statusCommand: CommandSpec = {
  name: 'status',
  summary:
    "Show the node's origin, log verifier key, store, authority and read-model progress (GET /v1/status).",
  scope: 'client',
  async run(args) {
    const node = new NodeConnection(args.url);
    const status = await node.call((c) => c.status());
    return {
      json: status,
      text: [
        `chancery ${status.version} at ${node.url}: ${status.ready ? 'ready' : 'NOT READY'}`,
        ...fieldLines([
          ['origin', status.origin],
          ['store', status.store],
          ['authority', status.authorityId],
          // The log's C2SP verifier key: what `chancery verify --trust` and citizens check checkpoints against.
          ['log key', status.logVerifierKey],
          ...(status.trustPolicy === undefined ? [] : ([['trust policy', trustPolicyLine(status)]] as const)),
          ['identities', String(status.identities)],
          ['certifications', String(status.certifications)],
          [
            'log position',
            `${status.lastPosition ?? 'none'} (read models at ${status.projectedPosition ?? 'none'})`,
          ],
        ]),
      ],
    };
  },
};
