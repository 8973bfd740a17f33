/**
 * `chancery audit`: every authority action in the log (registrations with
 * their roles, accreditations, key rotations, revocations), each with its
 * inclusion proof checked here against the checkpoint the node serves.
 * Read-only and public: any node of the log (primary or mirror) answers.
 */

import type { LogEntryView } from '../../client/index.js';
import { decodeBase64, isInclusionValid, parseCheckpoint, parseNote } from '../../domain/log/index.js';
import { CliError } from '../command-line/cli-errors.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { NodeConnection } from '../node-access/node-connection.js';

const AUTHORITY_ACTIONS = /^Identity(Registered|Accredited|KeyRotated|Revoked)$/;

export interface AuditedAction {
  readonly leafIndex: number;
  readonly action: string;
  readonly subject: string;
  readonly by: string;
  readonly issuedAt: string | null;
  readonly detail: Record<string, unknown>;
  /** The inclusion proof at the checkpoint's size (base64 hashes), or null for a leaf not sealed yet. */
  readonly proof: readonly string[] | null;
  /** The proof leads from the entry's leaf hash to the checkpoint's root. */
  readonly included: boolean;
}

async function allEntries(node: NodeConnection, end: number): Promise<LogEntryView[]> {
  const out: LogEntryView[] = [];
  let start: number | null = 0;
  while (start !== null && start < end) {
    const page = await node.call((c) => c.logEntries(start!, end));
    out.push(...page.entries);
    start = page.next;
  }
  return out;
}

function checkpointRoot(note: string | null): { treeSize: number; root: Uint8Array } | null {
  if (note === null) return null;
  const checkpoint = parseCheckpoint(parseNote(note).text);
  return { treeSize: checkpoint.treeSize, root: checkpoint.rootHash };
}

async function audited(
  node: NodeConnection,
  entry: LogEntryView,
  head: { treeSize: number; root: Uint8Array } | null,
): Promise<AuditedAction> {
  const payload = (entry.leaf.envelope as { payload?: Record<string, unknown> } | null)?.payload ?? {};
  const data = entry.leaf.data as Record<string, unknown>;
  let proof: string[] | null = null;
  let included = false;
  if (head !== null && entry.leafIndex < head.treeSize) {
    proof = (await node.call((c) => c.logInclusionProof(entry.leafIndex, head.treeSize))).proof;
    const hashes = proof.map((p) => decodeBase64(p) ?? new Uint8Array());
    const leaf = decodeBase64(entry.leafHash) ?? new Uint8Array();
    included = isInclusionValid(entry.leafIndex, head.treeSize, leaf, hashes, head.root);
  }
  return {
    leafIndex: entry.leafIndex,
    action: entry.leaf.type,
    subject: String(data['identityId'] ?? entry.leaf.stream),
    by: String(payload['actor'] ?? '-'),
    issuedAt: typeof payload['issuedAt'] === 'string' ? payload['issuedAt'] : null,
    detail: data,
    proof,
    included,
  };
}

function line(a: AuditedAction): string {
  const proof = a.proof === null ? 'not sealed yet' : a.included ? 'proof ok' : 'PROOF FAILS';
  return `#${a.leafIndex}  ${a.issuedAt ?? '-'}  ${a.action}  ${a.subject}  by ${a.by}  (${proof})`;
}

export const auditCommand: CommandSpec = {
  name: 'audit',
  summary:
    'List every authority action in the log (registrations, accreditations, key rotations, revocations) with its inclusion proof.',
  scope: 'client',
  details: `Reads the node's public log (GET /v1/log/entries), keeps the identity events, and checks each one's
inclusion proof at the node's latest checkpoint against that checkpoint's root. --json prints the actions
with their proofs and the checkpoint note. Exits 1 if any proof fails.`,
  async run(args) {
    const node = new NodeConnection(args.url);
    const log = await node.call((c) => c.log());
    const head = checkpointRoot(log.checkpoint);
    const entries = (await allEntries(node, log.sequencedSize)).filter((e) =>
      AUTHORITY_ACTIONS.test(e.leaf.type),
    );
    const actions: AuditedAction[] = [];
    for (const entry of entries) actions.push(await audited(node, entry, head));
    const failed = actions.filter((a) => a.proof !== null && !a.included);
    if (failed.length > 0)
      throw new CliError(`inclusion proofs fail for entries ${failed.map((a) => a.leafIndex).join(', ')}`);
    return {
      json: { origin: log.origin, checkpoint: log.checkpoint, treeSize: head?.treeSize ?? 0, actions },
      text: [`${actions.length} authority action(s) in ${log.origin}:`, ...actions.map(line)],
    };
  },
};
