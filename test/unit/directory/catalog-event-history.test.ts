import { afterEach, describe, expect, it } from 'vitest';
import { catalogDocument, datasetDocument } from '../../../src/api/presenters/dcat-jsonld.js';
import type { RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { CatalogReadModel } from '../../../src/infrastructure/projections/catalog-read-model.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import { expectExportConformant } from '../../support/dcat-ap-validation.js';
import { AT, ENTRY, LATER, metadata, SCHEMA_DIGEST } from './directory-fixtures.js';

/**
 * Events are immutable history. A CatalogEntryPublished written before
 * `languages` existed has no such field: the read model, the JSON view and
 * the DCAT-AP export read it as "no languages", and the export still
 * conforms. The catalog's description and dates come from the same events.
 */

const dbs: NodeDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

let position = 0n;
const recorded = (type: string, data: object, recordedAt = AT): RecordedEvent =>
  ({
    stream: 's',
    revision: 0n,
    position: ++position,
    type,
    recordedAt,
    metadata: null,
    data,
  }) as RecordedEvent;

function catalogWith(...events: RecordedEvent[]): CatalogReadModel {
  const db = openNodeDatabase(':memory:');
  dbs.push(db);
  const catalog = new CatalogReadModel(db);
  catalog.migrate(db);
  for (const e of events) catalog.apply(e);
  return catalog;
}

/** Metadata exactly as an event recorded it before this field was added. */
function beforeLanguages() {
  const { languages: _none, ...old } = metadata({ themes: ['TRAN'], updateFrequency: 'monthly' });
  return old;
}

const links = { base: 'https://node.example', publisherName: (id: string) => `${id} department` };

describe('catalog events recorded before a field existed', () => {
  it('read as an entry without languages, in the view, the history and the export', async () => {
    const old = beforeLanguages();
    expect(Object.hasOwn(old, 'languages')).toBe(false);
    const catalog = catalogWith(
      recorded('CatalogEntryPublished', {
        entryId: ENTRY,
        publisherId: 'TRANSPORT',
        metadataVersion: 1,
        metadata: old,
        schemaDigest: SCHEMA_DIGEST,
        publishedAt: AT,
      }),
    );
    const entry = catalog.get(ENTRY)!;
    expect(entry.metadata.languages).toEqual([]);
    expect(catalog.history(ENTRY).map((h) => h.metadata.languages)).toEqual([[]]);
    const doc = datasetDocument(entry, links, null);
    expect(doc).not.toHaveProperty('dct:language');
    await expectExportConformant([doc]);
  });

  it('describe the catalog from CatalogDescribed, and date it from the first entry to the last change', async () => {
    const catalog = catalogWith(
      recorded('CatalogEntryPublished', {
        entryId: ENTRY,
        publisherId: 'TRANSPORT',
        metadataVersion: 1,
        metadata: metadata(),
        schemaDigest: SCHEMA_DIGEST,
        // Another offset, earlier as an instant than LATER though later as text.
        publishedAt: '2026-03-01T10:30:00+02:00',
      }),
      recorded('CatalogDescribed', {
        revision: 1,
        description: {
          title: 'Province data directory',
          description: null,
          languages: ['ENG'],
          license: 'CC-BY-4.0',
          spatial: { uri: 'https://sws.geonames.org/1808520/' },
          themeTaxonomies: [],
          publisherType: 'RegionalAuthority',
        },
        describedAt: LATER,
        describedBy: 'AUTHORITY',
      }),
    );
    expect(catalog.description()).toMatchObject({ revision: 1, describedBy: 'AUTHORITY' });
    expect(catalog.dates()).toEqual({ issued: '2026-03-01T10:30:00+02:00', modified: LATER });
    const doc = catalogDocument(
      [catalog.get(ENTRY)!],
      { page: 1, pageSize: 10, total: 1 },
      { title: 'default title', publisherId: 'AUTHORITY', description: catalog.description()!.description },
      catalog.dates(),
      links,
    );
    expect(doc).toMatchObject({
      'dct:title': 'Province data directory',
      'dct:issued': { '@value': '2026-03-01T10:30:00+02:00' },
    });
    await expectExportConformant([doc]);
  });
});
