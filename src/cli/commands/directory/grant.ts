import type { JsonValue } from '../../../domain/shared/json.js';
import { isoSeconds } from '../../../protocol/iso-seconds.js';
import { UsageError } from '../../command-line/cli-errors.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';
import { parseDuration } from './duration.js';
import { signedDirectoryClient } from './signed-directory-client.js';

export const grantCommand: CommandSpec = {
  name: 'directory grant',
  summary: 'Grant a pending request (the publisher), with an expiry and a scope.',
  scope: 'client',
  positionals: ['REQUEST'],
  options: {
    as: AS_OPTION,
    'expires-in': { type: 'string', value: '7d', description: 'default: the full requested duration' },
    versions: {
      type: 'string',
      value: 'all|latest|1,2',
      description: 'which versions the grant covers (default all)',
    },
  },
  async run(args) {
    const requestId = args.positional(0);
    const versionsArg = args.string('versions') ?? 'all';
    const versions: JsonValue =
      versionsArg === 'all' || versionsArg === 'latest'
        ? versionsArg
        : versionsArg.split(',').map((v) => {
            const n = Number(v.trim());
            if (!Number.isInteger(n) || n < 1)
              throw new UsageError(`--versions ${versionsArg}: all, latest or numbers`, args.command);
            return n;
          });
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const now = Math.floor(Date.now() / 1000) * 1000;
    const expiresIn = args.string('expires-in');
    const seconds =
      expiresIn === undefined
        ? (
            await node.call(() =>
              // Only the owner and the requester may read a request: the read is signed.
              signedDirectoryClient(args).getSigned<{ durationSeconds: number }>(
                `/v1/directory/requests/${encodeURIComponent(requestId)}`,
              ),
            )
          ).durationSeconds
        : parseDuration('--expires-in', expiresIn, args.command);
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/requests/${encodeURIComponent(requestId)}/grant`,
        c.sign(
          'GrantAccess',
          { requestId, scope: { versions }, expiresAt: isoSeconds(now + seconds * 1000) },
          { issuedAt: isoSeconds(now) },
        ),
      ),
    );
    return written(result, `granted ${result.grantId} until ${isoSeconds(now + seconds * 1000)}`);
  },
};
