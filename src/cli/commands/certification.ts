import { existsSync } from 'node:fs';
import type { CertificationView } from '../../client/index.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { nowSeconds, parseTimeArg } from '../command-line/dates.js';
import { displayPath, fieldLines } from '../command-line/output.js';
import { sha256File } from '../files/file-digest.js';
import { type QrFormat, qrFormatOf, terminalQr, writeQr } from '../files/qr-files.js';
import { AS_OPTION, connectAs } from '../node-access/actor.js';
import { NodeConnection } from '../node-access/node-connection.js';

const SALTED_DIGEST = /^[0-9a-f]{64}$/;

/** --command-id and --issued-at: the same signed payload again, so a retry is answered, never written twice. */
function retryOptions(args: Parameters<CommandSpec['run']>[0]): { commandId?: string; issuedAt?: string } {
  const commandId = args.string('command-id');
  const issuedAt = args.string('issued-at');
  if (issuedAt !== undefined && commandId === undefined)
    throw new UsageError('--issued-at repeats an earlier write: give its --command-id too', args.command);
  return {
    ...(commandId === undefined ? {} : { commandId }),
    ...(issuedAt === undefined ? {} : { issuedAt }),
  };
}

export const certifyCommand: CommandSpec = {
  name: 'certify',
  summary: 'Certify a record by the SHA-256 digest of FILE. The file is hashed here and never uploaded.',
  scope: 'client',
  positionals: ['FILE'],
  options: {
    as: AS_OPTION,
    type: {
      type: 'string',
      value: 'TYPE',
      required: true,
      description: 'record type the issuer is accredited for, e.g. driving-licence',
    },
    subject: {
      type: 'string',
      value: 'REF',
      description: 'salted SHA-256 digest naming the subject (64 hex), never personal data',
    },
    'valid-from': {
      type: 'string',
      value: 'D',
      description: 'YYYY-MM-DD (midnight UTC) or RFC 3339; default now',
    },
    'valid-until': {
      type: 'string',
      value: 'D',
      description: 'YYYY-MM-DD (midnight UTC) or RFC 3339; default open',
    },
    reissue: {
      type: 'string',
      value: 'ID',
      description:
        'certify anew a record this issuer certified before (the latest certification, crt_…, which the refusal names); links the two',
    },
    'command-id': {
      type: 'string',
      value: 'ID',
      description:
        'repeat an earlier write (after SEAL_TIMEOUT, FINALITY_TIMEOUT or a lost answer) with its commandId, so the node answers from what it stored instead of writing twice',
    },
    'issued-at': {
      type: 'string',
      value: 'T',
      description:
        "with --command-id: the earlier write's issuedAt (RFC 3339 UTC, ...Z), which the problem names",
    },
    qr: { type: 'boolean', description: 'print the proof URL as a QR code in the terminal' },
    'qr-out': {
      type: 'string',
      value: 'FILE.svg|FILE.png',
      description: 'write the proof URL as a QR code to FILE (never over an existing file)',
    },
    wait: {
      type: 'string',
      value: 'sealed|final',
      description:
        'answer once the entry is under a signed checkpoint (sealed, with the proof bundle) or cosigned by the witness quorum (final)',
    },
  },
  details: `--subject links certifications of the same person without naming them. The issuer
computes it as the SHA-256 of a secret salt it keeps followed by the subject's identifier,
and only the digest goes in the log:
  printf '%s%s' "$SALT" "$NATIONAL_ID" | sha256sum | cut -d' ' -f1
Personal data never goes into a command; keep the salt out of the log as well.

example:
  chancery certify licence-0042.pdf --as transport.key --type driving-licence --valid-until 2035-06-30 \\
    --qr --qr-out licence-0042-qr.svg`,
  async run(args) {
    const file = args.positional(0);
    const subject = args.string('subject');
    if (subject !== undefined && !SALTED_DIGEST.test(subject.toLowerCase())) {
      throw new UsageError(
        `--subject must be a salted SHA-256 digest (64 hex characters), not the identifier itself: see --help`,
        args.command,
      );
    }
    const validFromArg = args.string('valid-from');
    const validUntilArg = args.string('valid-until');
    const validFrom =
      validFromArg === undefined ? nowSeconds() : parseTimeArg('--valid-from', validFromArg, args.command);
    const validUntil =
      validUntilArg === undefined ? undefined : parseTimeArg('--valid-until', validUntilArg, args.command);
    const wait = args.string('wait');
    if (wait !== undefined && wait !== 'sealed' && wait !== 'final') {
      throw new UsageError(`--wait must be sealed or final, not ${wait}`, args.command);
    }
    const reissue = args.string('reissue');
    const qrOut = qrTarget(args.string('qr-out'), args.command);
    const recordDigest = await sha256File(file);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.certify(
        {
          recordDigest,
          recordType: args.required('type'),
          validFrom,
          ...(subject === undefined ? {} : { subjectRef: subject.toLowerCase() }),
          ...(validUntil === undefined ? {} : { validUntil }),
          ...(reissue === undefined ? {} : { reissueOf: reissue }),
        },
        { ...retryOptions(args), ...(wait === undefined ? {} : { wait }) },
      ),
    );
    const sealed =
      result.leafIndex === undefined || result.checkpoint === undefined
        ? []
        : [`  log leaf ${result.leafIndex}, ${wait} in checkpoint of size ${result.checkpoint.treeSize}`];
    const qrLines =
      result.proofUrl === undefined ? [] : await proofQr(result.proofUrl, qrOut, args.flag('qr'));
    return {
      json: { ...result, recordDigest, ...(qrOut === null ? {} : { qrFile: qrOut.path }) },
      text: [
        `certified ${result.certificationId} → proof URL ${result.proofUrl}`,
        `  record sha256 ${recordDigest}`,
        ...sealed,
        ...qrLines,
      ],
    };
  },
};

/** --qr-out checked before any work: the format from its extension, and never over an existing file. */
function qrTarget(path: string | undefined, command: string): { path: string; format: QrFormat } | null {
  if (path === undefined) return null;
  const format = qrFormatOf(path);
  if (format === null) throw new UsageError(`--qr-out ${path}: name a .svg or a .png file`, command);
  if (existsSync(path)) throw new UsageError(`--qr-out ${path} already exists: not overwriting it`, command);
  return { path, format };
}

/** Writes the QR file if asked, and answers the lines to print (the terminal QR with --qr). */
async function proofQr(
  url: string,
  out: { path: string; format: QrFormat } | null,
  terminal: boolean,
): Promise<string[]> {
  const lines: string[] = [];
  if (out !== null) {
    try {
      await writeQr(out.path, url, out.format);
    } catch (error) {
      throw new CliError(`certified, but the QR code could not be written to ${out.path}: ${String(error)}`);
    }
    lines.push(`  QR code of the proof URL → ${displayPath(out.path)}`);
  }
  if (terminal) lines.push('', (await terminalQr(url)).trimEnd());
  return lines;
}

const showCommand: CommandSpec = {
  name: 'certification show',
  summary: 'Show a certification with its status history.',
  scope: 'client',
  positionals: ['ID'],
  async run(args) {
    const id = args.positional(0);
    const view = await new NodeConnection(args.url).call((c) => c.certification(id));
    return { json: view, text: describeCertification(view) };
  },
};

const PAST = { suspend: 'suspended', reinstate: 'reinstated', revoke: 'revoked' } as const;

function statusCommand(action: 'suspend' | 'reinstate' | 'revoke', summary: string): CommandSpec {
  return {
    name: `certification ${action}`,
    summary,
    scope: 'client',
    positionals: ['ID'],
    options: {
      as: AS_OPTION,
      reason: { type: 'string', value: 'TEXT', required: true, description: 'why, kept in the log' },
    },
    async run(args) {
      const id = args.positional(0);
      const node = await connectAs(new NodeConnection(args.url), args.required('as'));
      const result = await node.call((c) => c.changeStatus(action, id, args.required('reason')));
      return {
        json: result,
        text: [`${PAST[action]} ${id}${result.replayed ? ' (already done: replayed)' : ''}`],
      };
    },
  };
}

function describeCertification(view: CertificationView): string[] {
  const rows: [string, string][] = [
    ['status', view.status],
    ['record type', view.recordType],
    ['record sha256', view.recordDigest],
    ['issuer', `${view.issuerId} (key ${view.keyId})`],
    ['subject', view.subjectRef ?? '—'],
    ['valid', `${view.validFrom} → ${view.validUntil ?? 'no end'}`],
    ['certified', view.certifiedAt],
    ['proof URL', view.proofUrl],
  ];
  for (const [key, value] of Object.entries(view.metadata ?? {}))
    rows.push([`metadata ${key}`, String(value)]);
  for (const entry of view.statusHistory) {
    rows.push([
      'history',
      `${entry.at} ${entry.status} by ${entry.by}${entry.reason === null ? '' : `: ${entry.reason}`}`,
    ]);
  }
  return [view.certificationId, ...fieldLines(rows)];
}

export const certificationCommands: readonly CommandSpec[] = [
  showCommand,
  statusCommand('suspend', 'Suspend a certification (signed by its issuer or the authority).'),
  statusCommand('reinstate', 'Reinstate a suspended certification (signed by its issuer or the authority).'),
  statusCommand('revoke', 'Revoke a certification for good (signed by its issuer or the authority).'),
];
