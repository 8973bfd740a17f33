import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';

export const revokeCommand: CommandSpec = {
  name: 'directory revoke',
  summary: 'Revoke a grant (the publisher or the authority); fetches under it are refused from now on.',
  scope: 'client',
  positionals: ['GRANT'],
  options: {
    as: AS_OPTION,
    reason: { type: 'string', value: 'TEXT', description: 'why (default: revoked by the owner)' },
  },
  async run(args) {
    const grantId = args.positional(0);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/grants/${encodeURIComponent(grantId)}/revoke`,
        c.sign('RevokeGrant', { grantId, reason: args.string('reason') ?? 'revoked by the owner' }),
      ),
    );
    return written(result, `revoked ${grantId}`);
  },
};
