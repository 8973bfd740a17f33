/**
 * `chancery audit`: every authority action in the log (registrations with
 * their roles, accreditations, key rotations, revocations), each with its
 * inclusion proof checked here against the checkpoint the node serves, and
 * that checkpoint's signature checked against the log's key (given with
 * --trust or CHANCERY_TRUST; otherwise the key the node states, said so).
 * Read-only and public: any node of the log (primary or mirror) answers.
 */

import type { LogEntryView } from '../../client/index.js';
import {
  decodeBase64,
  ed25519NoteVerifier,
  isInclusionValid,
  LogProofError,
  parseCheckpoint,
  parseVerifierKey,
  SIGNATURE_TYPE_ED25519,
  verifyNote,
} from '../../domain/log/index.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec } from '../command-line/command-spec.js';
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

/** The log key to check the checkpoint with: the one given (pinned), or the node's own word for it. */
interface LogKey {
  readonly vkey: string;
  readonly pinned: boolean;
}

async function logKeyOf(args: CommandArgs, node: NodeConnection): Promise<LogKey> {
  const given = args.string('trust') ?? args.env['CHANCERY_TRUST'];
  if (given === undefined || given === '')
    return { vkey: (await node.call((c) => c.status())).logVerifierKey, pinned: false };
  try {
    parseVerifierKey(given, SIGNATURE_TYPE_ED25519);
  } catch (error) {
    const reason = error instanceof LogProofError ? error.message : String(error);
    throw new UsageError(`--trust ${given}: not the log's C2SP Ed25519 verifier key (${reason})`, 'audit');
  }
  return { vkey: given, pinned: true };
}

/**
 * The checkpoint's tree size and root, once its note is signed by the log key and names the key's log:
 * every inclusion proof is checked against this root, so a root not signed by the log proves nothing.
 */
function checkpointRoot(note: string | null, key: LogKey): { treeSize: number; root: Uint8Array } | null {
  if (note === null) return null;
  let text: string;
  try {
    text = verifyNote(note, [ed25519NoteVerifier(key.vkey, verifyEd25519)]).text;
  } catch (error) {
    const reason = error instanceof LogProofError ? error.message : String(error);
    throw new CliError(
      `checkpoint signature fails: the node's checkpoint is not signed by ${key.vkey} (${reason})`,
    );
  }
  const checkpoint = parseCheckpoint(text);
  const name = parseVerifierKey(key.vkey).name;
  if (checkpoint.origin !== name)
    throw new CliError(
      `checkpoint signature fails: the checkpoint is of ${checkpoint.origin}, the key of ${name}`,
    );
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
  options: {
    trust: {
      type: 'string',
      value: 'VKEY',
      description:
        "the log's C2SP verifier key (name+id+key) the checkpoint must be signed with (env CHANCERY_TRUST); without it, the key the node states",
    },
  },
  details: `Reads the node's public log (GET /v1/log/entries), keeps the identity events, checks the signature of
the node's latest checkpoint against the log key, and checks each entry's inclusion proof at that
checkpoint against its root. --json prints the actions with their proofs and the checkpoint note.
Exits 1 if the checkpoint's signature or any proof fails. Without --trust the node is believed about
its own key: pin the key the province publishes to audit a node you do not run.`,
  async run(args) {
    const node = new NodeConnection(args.url);
    const key = await logKeyOf(args, node);
    const log = await node.call((c) => c.log());
    const head = checkpointRoot(log.checkpoint, key);
    const entries = (await allEntries(node, log.sequencedSize)).filter((e) =>
      AUTHORITY_ACTIONS.test(e.leaf.type),
    );
    const actions: AuditedAction[] = [];
    for (const entry of entries) actions.push(await audited(node, entry, head));
    const failed = actions.filter((a) => a.proof !== null && !a.included);
    if (failed.length > 0)
      throw new CliError(`inclusion proofs fail for entries ${failed.map((a) => a.leafIndex).join(', ')}`);
    const signature = `checkpoint ${head?.treeSize ?? 0} signed by ${key.vkey.split('+')[0]} (${
      key.pinned ? 'key pinned' : 'key as the node states it, not pinned: give --trust'
    })`;
    return {
      json: {
        origin: log.origin,
        checkpoint: log.checkpoint,
        treeSize: head?.treeSize ?? 0,
        logKey: { vkey: key.vkey, pinned: key.pinned, signatureValid: head !== null },
        actions,
      },
      text: [`${actions.length} authority action(s) in ${log.origin}; ${signature}:`, ...actions.map(line)],
    };
  },
};
