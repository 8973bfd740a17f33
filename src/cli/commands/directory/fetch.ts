import { existsSync } from 'node:fs';
import { CliError } from '../../command-line/cli-errors.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { transferProgress } from '../../progress/transfer-progress.js';
import { signedDirectoryClient } from './signed-directory-client.js';

export const fetchCommand: CommandSpec = {
  name: 'directory fetch',
  summary: 'Fetch a dataset version to a file, signed (RFC 9421); the fetch is recorded in the log.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS_OPTION,
    out: { type: 'string', value: 'FILE', required: true, description: 'where to write the data' },
    version: { type: 'string', value: 'V', description: 'version number (default: latest)' },
    force: { type: 'boolean', description: 'overwrite FILE if it exists' },
    grant: {
      type: 'string',
      value: 'GRANT',
      description: 'which of your grants to use (default: the node picks)',
    },
  },
  async run(args) {
    const entryId = args.positional(0);
    const out = args.required('out');
    if (existsSync(out) && !args.flag('force'))
      throw new CliError(`${out} already exists: choose another --out, or add --force to overwrite it`);
    const bar = transferProgress('downloading');
    const result = await new NodeConnection(args.url)
      .call(() =>
        signedDirectoryClient(args).fetch(
          entryId,
          args.string('version') ?? 'latest',
          out,
          args.string('grant'),
          (d, t) => bar.update(d, t),
        ),
      )
      .finally(() => bar.done());
    return {
      json: { entryId, out, ...result },
      text: [
        `fetched ${entryId} version ${result.version} → ${out} (${result.byteCount} bytes, sha256 ${result.digest})`,
      ],
    };
  },
};
