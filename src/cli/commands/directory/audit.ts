import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { signedDirectoryClient } from './signed-directory-client.js';

interface AuditPage {
  entryId: string;
  items: { version: number; consumerId: string; grantId: string | null; fetchedAt: string }[];
  nextCursor: string | null;
}

export const auditCommand: CommandSpec = {
  name: 'directory audit',
  summary: 'List who fetched which version of your entry, and when.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: { as: AS_OPTION },
  async run(args) {
    const entryId = args.positional(0);
    const client = signedDirectoryClient(args);
    const node = new NodeConnection(args.url);
    const items: AuditPage['items'] = [];
    let cursor: string | null = null;
    do {
      const page: AuditPage = await node.call(() =>
        client.getSigned<AuditPage>(
          `/v1/directory/entries/${encodeURIComponent(entryId)}/audit?limit=500${cursor === null ? '' : `&cursor=${cursor}`}`,
        ),
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return {
      json: { entryId, items },
      text: [
        `${items.length} fetch${items.length === 1 ? '' : 'es'} of ${entryId}`,
        ...items.map(
          (i) => `  ${i.fetchedAt}  ${i.consumerId}  version ${i.version}  ${i.grantId ?? '(no grant)'}`,
        ),
      ],
    };
  },
};
