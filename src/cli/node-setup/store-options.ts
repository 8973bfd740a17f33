import type { OptionSpec } from '../command-line/command-spec.js';

/** The flags that choose a node's event store, shared by init, start and rebuild. */
export const STORE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  store: {
    type: 'string',
    value: 'KIND',
    description:
      'event store: sqlite (DATA/events.db), postgres or eventstoredb (default sqlite, env CHANCERY_STORE)',
  },
  'pg-url': {
    type: 'string',
    value: 'URL',
    description:
      'PostgreSQL connection string, postgres://USER:PASSWORD@HOST:5432/DATABASE (env CHANCERY_PG_URL)',
  },
  'pg-schema': {
    type: 'string',
    value: 'NAME',
    description: 'PostgreSQL schema holding the log (default chancery, env CHANCERY_PG_SCHEMA)',
  },
  'esdb-url': {
    type: 'string',
    value: 'URL',
    description: 'EventStoreDB connection string, esdb://HOST:2113?tls=false (env CHANCERY_ESDB_URL)',
  },
};
