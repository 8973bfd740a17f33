import type { JsonValue } from '../../../domain/shared/json.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';
import { METADATA_OPTIONS, metadataFlags } from './catalog-metadata.js';
import { getJson } from './get-json.js';

export const updateCommand: CommandSpec = {
  name: 'directory update',
  summary: "Replace an entry's metadata (a new metadata version); flags not given keep their current values.",
  scope: 'client',
  positionals: ['ENTRY'],
  options: { as: AS_OPTION, ...METADATA_OPTIONS },
  async run(args) {
    const entryId = args.positional(0);
    metadataFlags(args, {}, false); // a usage mistake is reported before the node is asked anything
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const current = await getJson<Record<string, JsonValue>>(
      node,
      `/v1/directory/entries/${encodeURIComponent(entryId)}`,
    );
    const keep = [
      'title',
      'description',
      'keywords',
      'themes',
      'contactPoint',
      'license',
      'accessRights',
      'updateFrequency',
      'languages',
      'spatial',
      'temporal',
      'distributions',
      'conformsTo',
    ];
    // Optional fields the entry lacks stay out: null is not a value every field takes (languages).
    const kept = Object.fromEntries(keep.flatMap((k) => (current[k] === undefined ? [] : [[k, current[k]]])));
    const fields = { ...kept, ...metadataFlags(args, current), entryId };
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/update`,
        c.sign('UpdateCatalogEntry', fields),
      ),
    );
    return written(result, `updated ${entryId}`);
  },
};
