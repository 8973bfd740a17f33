import { extname } from 'node:path';
import { UsageError } from '../../command-line/cli-errors.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { fieldLines } from '../../command-line/output.js';
import { AS_OPTION } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { transferProgress } from '../../progress/transfer-progress.js';
import { signedDirectoryClient } from './signed-directory-client.js';

export const uploadCommand: CommandSpec = {
  name: 'directory upload',
  summary: 'Upload FILE (.json array or .ndjson) as a new dataset version, streamed and RFC 9421-signed.',
  scope: 'client',
  positionals: ['ENTRY', 'FILE'],
  options: { as: AS_OPTION },
  details: `Every record is checked against the entry's schema; if any fails, nothing is stored and
every error of every failing record is listed (up to 100) with the record's number, from 1,
and the JSON pointer.`,
  async run(args) {
    const entryId = args.positional(0);
    const file = args.positional(1);
    const ext = extname(file).toLowerCase();
    const mediaType =
      ext === '.json'
        ? 'application/json'
        : ext === '.ndjson' || ext === '.jsonl'
          ? 'application/x-ndjson'
          : null;
    if (mediaType === null)
      throw new UsageError(`${file}: name a .json (array) or .ndjson file`, args.command);
    const client = signedDirectoryClient(args);
    const hashing = transferProgress('hashing  ');
    const sending = transferProgress('uploading');
    const node = new NodeConnection(args.url);
    const result = await node
      .call(() =>
        client.upload(entryId, file, mediaType, {
          hashing: (d, t) => hashing.update(d, t),
          sending: (d, t) => {
            hashing.done();
            sending.update(d, t);
          },
        }),
      )
      .finally(() => sending.done());
    return {
      json: result,
      text: [
        `${result.replayed ? 'already the latest version' : 'published'} ${entryId} version ${result.version}`,
        ...fieldLines([
          ['records', String(result.recordCount)],
          ['bytes', String(result.byteCount)],
          ['sha256', result.digest],
          ['schema sha256', result.schemaDigest],
        ]),
      ],
    };
  },
};
