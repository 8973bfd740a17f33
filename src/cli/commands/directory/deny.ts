import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';

export const denyCommand: CommandSpec = {
  name: 'directory deny',
  summary: 'Deny a pending request (the publisher).',
  scope: 'client',
  positionals: ['REQUEST'],
  options: { as: AS_OPTION, reason: { type: 'string', value: 'TEXT', description: 'why (kept in the log)' } },
  async run(args) {
    const requestId = args.positional(0);
    const reason = args.string('reason');
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/requests/${encodeURIComponent(requestId)}/deny`,
        c.sign('DenyAccess', { requestId, ...(reason === undefined ? {} : { reason }) }),
      ),
    );
    return written(result, `denied ${requestId}`);
  },
};
