import { PUBLISHER_TYPES } from '../../../domain/directory/catalog-description.js';
import type { JsonValue } from '../../../domain/shared/json.js';
import { UsageError } from '../../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec } from '../../command-line/command-spec.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { written } from '../../node-access/write-result.js';
import { COVERAGE_OPTIONS, httpUrl, languagesFlag, spatialFlags } from './coverage-flags.js';

/** --theme-taxonomy URI=TITLE: a concept scheme the catalog's themes come from. */
function taxonomies(args: CommandArgs): JsonValue[] | undefined {
  const given = args.strings('theme-taxonomy');
  if (given.length === 0) return undefined;
  return given.map((value) => {
    const eq = value.indexOf('=');
    const title = value.slice(eq + 1).trim();
    if (eq < 0 || title === '')
      throw new UsageError(
        `--theme-taxonomy ${value}: expected URI=TITLE, e.g. http://eurovoc.europa.eu/100141=EuroVoc`,
        args.command,
      );
    return { uri: httpUrl('--theme-taxonomy', value.slice(0, eq).trim(), args.command), title };
  });
}

function publisherType(args: CommandArgs): string | undefined {
  const value = args.string('publisher-type');
  if (value === undefined || (PUBLISHER_TYPES as readonly string[]).includes(value)) return value;
  throw new UsageError(
    `--publisher-type ${value}: expected an ADMS publisher type: ${PUBLISHER_TYPES.join(', ')}`,
    args.command,
  );
}

export const describeCatalogCommand: CommandSpec = {
  name: 'directory describe-catalog',
  summary:
    'Describe the catalog as a whole (authority): what DCAT-AP harvesters look for beside the datasets. Replaces the previous description.',
  scope: 'client',
  options: {
    as: AS_OPTION,
    title: { type: 'string', value: 'T', description: 'dct:title (default: "<origin> data directory")' },
    description: { type: 'string', value: 'D', description: 'dct:description' },
    license: { type: 'string', value: 'L', description: "licence of the catalog's metadata: URI or SPDX id" },
    ...COVERAGE_OPTIONS,
    'theme-taxonomy': {
      type: 'string',
      value: 'URI=TITLE',
      multiple: true,
      description:
        'dcat:themeTaxonomy besides the EU data themes, e.g. http://eurovoc.europa.eu/100141=EuroVoc',
    },
    'publisher-type': {
      type: 'string',
      value: 'TYPE',
      description:
        'dct:type of the publishing agents, an ADMS publisher type (RegionalAuthority, LocalAuthority…)',
    },
  },
  details: `example:
  chancery directory describe-catalog --as data/authority.key --title 'Province data directory' \\
    --language ENG --license CC-BY-4.0 --spatial https://sws.geonames.org/1808520/ \\
    --publisher-type RegionalAuthority`,
  async run(args) {
    const fields: Record<string, JsonValue> = {};
    const put = (field: string, value: JsonValue | undefined) => {
      if (value !== undefined) fields[field] = value;
    };
    put('title', args.string('title'));
    put('description', args.string('description'));
    put('license', args.string('license'));
    put('languages', languagesFlag(args));
    put('spatial', spatialFlags(args));
    put('themeTaxonomies', taxonomies(args));
    put('publisherType', publisherType(args));
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit('/v1/directory/catalog', c.sign('DescribeCatalog', fields)),
    );
    return written(result, 'described the catalog');
  },
};
