import { UsageError } from '../../command-line/cli-errors.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { loadPrivateKey } from '../../files/key-files.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { signedDirectoryClient } from './signed-directory-client.js';

interface RequestItem {
  requestId: string;
  entryId: string;
  ownerId: string;
  requesterId: string;
  purpose: string;
  durationSeconds: number;
  requestedAt: string;
  status: string;
  grantId: string | null;
}

interface RequestPage {
  items: RequestItem[];
  nextCursor: string | null;
}

const STATUSES = ['pending', 'granted', 'denied', 'revoked', 'all'];

export const requestsCommand: CommandSpec = {
  name: 'directory requests',
  summary: 'List the access requests on your entries (pending by default), or those you made (--made).',
  scope: 'client',
  options: {
    as: AS_OPTION,
    status: {
      type: 'string',
      value: 'STATUS',
      description: 'pending (default), granted, denied, revoked or all',
    },
    entry: { type: 'string', value: 'ENTRY', description: 'only requests on this entry' },
    made: { type: 'boolean', description: 'the requests you made, instead of those you received' },
  },
  details: `Only the entry's owner and the requester can read a request: the listing is signed (RFC 9421).
example:
  chancery directory requests --as transport.key
  chancery directory grant REQUEST_ID --as transport.key --expires-in 30d`,
  async run(args) {
    const status = args.string('status') ?? 'pending';
    if (!STATUSES.includes(status))
      throw new UsageError(`--status ${status}: one of ${STATUSES.join(', ')}`, args.command);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const me = (await node.call((c) => c.keyOwner(loadPrivateKey(args.required('as')).keyId))).identityId;
    const side = args.flag('made') ? 'requester' : 'owner';
    const items = await allPages(args, node, listTarget(side, me, status, args.string('entry')));
    return {
      json: { items },
      text: [
        `${items.length} ${status === 'all' ? '' : `${status} `}request${items.length === 1 ? '' : 's'} ${side === 'owner' ? 'on the entries of' : 'made by'} ${me}`,
        ...items.map(describe),
      ],
    };
  },
};

function listTarget(side: string, me: string, status: string, entry: string | undefined): string {
  const query = new URLSearchParams({ [side]: me, limit: '500' });
  if (status !== 'all') query.set('status', status);
  if (entry !== undefined) query.set('entry', entry);
  return `/v1/directory/requests?${query}`;
}

async function allPages(
  args: Parameters<CommandSpec['run']>[0],
  node: NodeConnection,
  target: string,
): Promise<RequestItem[]> {
  const client = signedDirectoryClient(args);
  const items: RequestItem[] = [];
  let cursor: string | null = null;
  do {
    const page: RequestPage = await node.call(() =>
      client.getSigned<RequestPage>(cursor === null ? target : `${target}&cursor=${cursor}`),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

function describe(r: RequestItem): string {
  const days = Math.round((r.durationSeconds / 86_400) * 10) / 10;
  return `  ${r.requestId}  ${r.status}  ${r.entryId}  from ${r.requesterId} at ${r.requestedAt} for ${days} d: ${r.purpose}`;
}
