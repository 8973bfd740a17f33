import type { CommandSpec } from '../../command-line/command-spec.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { getJson } from './get-json.js';

interface SearchResult {
  count: number;
  results: {
    entryId: string;
    title: string;
    publisherId: string;
    accessRights: string;
    latestVersion: { version: number } | null;
  }[];
  facets: Record<string, { name: string; count: number }[]>;
  nextCursor: string | null;
}

export const searchCommand: CommandSpec = {
  name: 'directory search',
  summary: 'Search the catalog (CKAN-style query) and show facet counts.',
  scope: 'client',
  optionalPositionals: ['QUERY'],
  options: {
    publisher: { type: 'string', value: 'ID', multiple: true, description: 'only this publisher' },
    theme: { type: 'string', value: 'T', multiple: true, description: 'only this theme' },
    'access-rights': { type: 'string', value: 'R', description: 'public, restricted or non-public' },
    license: { type: 'string', value: 'L', description: 'only this licence' },
    format: { type: 'string', value: 'F', description: 'only this distribution format' },
    sort: {
      type: 'string',
      value: 'S',
      description: "e.g. 'score desc', 'title_string asc', 'metadata_modified desc'",
    },
    rows: { type: 'string', value: 'N', description: 'results per page (default 20)' },
    start: { type: 'string', value: 'N', description: 'offset of the first result' },
  },
  details: `QUERY: words, "phrases", OR, -exclude, prefix*, field:value (title, tags, publisher, license, format…)
example:
  chancery directory search 'traffic -draft' --theme TRAN`,
  async run(args) {
    const params = new URLSearchParams();
    const q = args.positionals[0];
    if (q !== undefined) params.set('q', q);
    for (const p of args.strings('publisher')) params.append('publisher', p.toUpperCase());
    for (const th of args.strings('theme')) params.append('theme', th);
    for (const [flag, name] of [
      ['access-rights', 'accessRights'],
      ['license', 'license'],
      ['format', 'format'],
      ['sort', 'sort'],
      ['rows', 'rows'],
      ['start', 'start'],
    ] as const) {
      const value = args.string(flag);
      if (value !== undefined) params.set(name, value);
    }
    const node = new NodeConnection(args.url);
    const result = await getJson<SearchResult>(node, `/v1/directory/search?${params}`);
    const lines = [`${result.count} entr${result.count === 1 ? 'y' : 'ies'}`];
    for (const r of result.results) {
      lines.push(
        `  ${r.entryId}  ${r.title}  (${r.publisherId}, ${r.accessRights}${r.latestVersion === null ? '' : `, v${r.latestVersion.version}`})`,
      );
    }
    for (const [facet, values] of Object.entries(result.facets)) {
      if (values.length > 0)
        lines.push(`${facet}: ${values.map((v) => `${v.name} (${v.count})`).join(', ')}`);
    }
    return { json: result, text: lines };
  },
};
