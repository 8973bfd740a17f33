import type { CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';
import { METADATA_OPTIONS, metadataFlags } from './catalog-metadata.js';

export const publishCommand: CommandSpec = {
  name: 'directory publish',
  summary: 'Publish a catalog entry (DCAT-AP dataset) with its record schema (publisher role).',
  scope: 'client',
  options: {
    as: AS_OPTION,
    ...METADATA_OPTIONS,
    title: { ...METADATA_OPTIONS['title']!, required: true },
    description: { ...METADATA_OPTIONS['description']!, required: true },
    'access-rights': { ...METADATA_OPTIONS['access-rights']!, required: true },
    license: { ...METADATA_OPTIONS['license']!, required: true },
    schema: { ...METADATA_OPTIONS['schema']!, required: true },
  },
  details: `example:
  chancery directory publish --as transport.key --title 'Traffic counts' --description 'Hourly counts' \\
    --keyword traffic --theme TRAN --access-rights restricted --license CC-BY-4.0 --schema counts.schema.json \\
    --language ENG --spatial https://sws.geonames.org/1808520/ --bbox 110.35,31.38,116.65,36.37 \\
    --temporal-start 2020-01-01 --contact-name 'Open data desk' --contact-email data@transport.example

Theme codes, languages, frequencies and the DCAT-AP export: docs/directory.md.`,
  async run(args) {
    const fields = metadataFlags(args);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit('/v1/directory/entries', c.sign('PublishCatalogEntry', fields)),
    );
    return written(result, `published ${result.entryId}`);
  },
};
