import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';
import { parseDuration } from './duration.js';

export const requestCommand: CommandSpec = {
  name: 'directory request',
  summary: "Ask an entry's publisher for access, with a purpose and a duration.",
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS_OPTION,
    purpose: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'why the data is needed (kept in the log)',
    },
    duration: { type: 'string', value: '30d', description: 'how long access is asked for (default 30d)' },
  },
  async run(args) {
    const entryId = args.positional(0);
    const durationSeconds = parseDuration('--duration', args.string('duration') ?? '30d', args.command);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/requests`,
        c.sign('RequestAccess', { entryId, purpose: args.required('purpose'), durationSeconds }),
      ),
    );
    return written(result, `requested access to ${entryId}: ${result.requestId}`);
  },
};
