import type { NodeStatus } from '../../client/index.js';
import type { OperationsStatus } from '../../protocol/operations-status.js';
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
    "Show the node's role, readiness, finality and witness quorum, each witness, mirror lag and open alerts, " +
    'with its origin, keys, store and read-model progress (GET /v1/status and /v1/operations).',
  scope: 'client',
  async run(args) {
    const node = new NodeConnection(args.url);
    const status = await node.call((c) => c.status());
    const operations = await node.call((c) => c.operations());
    return {
      json: { ...status, operations },
      text: [
        `chancery ${status.version} at ${node.url}: ${status.ready ? 'ready' : 'NOT READY'} (${status.role})`,
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
          ...operationRows(operations),
        ]),
        ...witnessLines(operations),
        ...mirrorLines(operations),
        ...alertLines(operations),
      ],
    };
  },
};

function operationRows(o: OperationsStatus): [string, string][] {
  const rows: [string, string][] = [
    [
      'log size',
      `${o.log.sequencedSize} (checkpoint ${o.finality.checkpointTreeSize}, final ${o.finality.finalTreeSize})`,
    ],
    ['finality', o.finality.reason === null ? o.finality.state : `${o.finality.state}: ${o.finality.reason}`],
  ];
  if (o.finality.quorum !== null) rows.push(['quorum', o.finality.quorum]);
  if (o.mirror !== null) {
    const lag = o.mirror.lagEntries === null ? 'unknown' : `${o.mirror.lagEntries} entries`;
    rows.push([
      'mirror lag',
      `${lag} behind ${o.mirror.upstream}${o.mirror.halted === null ? '' : ` (HALTED: ${o.mirror.halted})`}`,
    ]);
  }
  return rows;
}

function witnessLines(o: OperationsStatus): string[] {
  if (o.witnesses.length === 0) return [];
  return [
    'witnesses:',
    ...o.witnesses.map((w) => {
      const state = w.up ? 'up' : `DOWN (${w.lastError})`;
      const last = w.lastSuccessAt === null ? 'no cosignature yet' : `last cosigned ${w.lastSuccessAt}`;
      return `  ${w.name}  ${state}; ${last}; size ${w.cosignedSize ?? '-'}`;
    }),
  ];
}

/** A primary's mirrors: the size each says it verified and how far behind this node's log that is. */
function mirrorLines(o: OperationsStatus): string[] {
  if (o.mirrors.length === 0) return [];
  return [
    'mirrors:',
    ...o.mirrors.map((m) => {
      const lag = m.lagEntries === null ? 'lag unknown' : `lag ${m.lagEntries}`;
      const size = m.replicatedSize === null ? 'no size yet' : `verified ${m.replicatedSize}`;
      return `  ${m.name}  ${size}; ${lag}${m.error === null ? '' : ` (NOT ANSWERING: ${m.error})`}`;
    }),
  ];
}

function alertLines(o: OperationsStatus): string[] {
  if (o.alerts.length === 0) return ['alerts: none open'];
  return [
    `alerts (${o.alerts.length} open):`,
    ...o.alerts.map(
      (a) =>
        `  ${a.severity.toUpperCase()} ${a.kind}${a.subject === null ? '' : ` ${a.subject}`}: ${a.detail}`,
    ),
  ];
}
