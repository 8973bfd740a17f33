import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';

export const withdrawCommand: CommandSpec = {
  name: 'directory withdraw',
  summary: 'Withdraw an entry: it leaves search and its data can no longer be fetched.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS_OPTION,
    reason: { type: 'string', value: 'TEXT', required: true, description: 'why, kept in the log' },
  },
  async run(args) {
    const entryId = args.positional(0);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/withdraw`,
        c.sign('WithdrawCatalogEntry', { entryId, reason: args.required('reason') }),
      ),
    );
    return written(result, `withdrew ${entryId}`);
  },
};
