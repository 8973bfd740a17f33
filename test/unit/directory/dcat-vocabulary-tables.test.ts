import type { Store } from 'n3';
import { describe, expect, it } from 'vitest';
import { FILE_TYPES } from '../../../src/api/presenters/dcat-formats.js';
import {
  EU_THEME_SCHEME,
  EU_THEMES,
  FREQUENCY,
  LICENCE_TYPES,
  PUBLISHER_TYPE_LABELS,
  SPDX_LICENCES,
} from '../../../src/api/presenters/dcat-vocabularies.js';
import { PUBLISHER_TYPES } from '../../../src/domain/directory/catalog-description.js';
import { EU_LANGUAGE_CODES } from '../../../src/domain/directory/eu-languages.js';
import { DCAT_AP_SKIP_REASON, vocabularyFile } from '../../support/dcat-ap-validation.js';

/**
 * The codes and labels the export writes are the official ones: each is
 * looked up in the vocabulary files the conformance test validates with
 * (docs/directory.md, "The fixtures"), never taken on trust.
 */

const EU = 'http://publications.europa.eu/resource/authority';
const IN_SCHEME = 'http://www.w3.org/2004/02/skos/core#inScheme';
const PREF_LABEL = 'http://www.w3.org/2004/02/skos/core#prefLabel';

/** The concepts of `scheme` in the file, by IRI. */
function concepts(file: Store, scheme: string): Set<string> {
  return new Set(file.getQuads(null, IN_SCHEME, scheme, null).map((q) => q.subject.value));
}

function englishLabel(file: Store, iri: string): string | undefined {
  return file
    .getQuads(iri, PREF_LABEL, null, null)
    .find((q) => q.object.termType === 'Literal' && q.object.language === 'en')?.object.value;
}

const missing = (codes: Iterable<string>, prefix: string, known: Set<string>) =>
  [...codes].filter((code) => !known.has(`${prefix}${code}`));

describe.skipIf(DCAT_AP_SKIP_REASON !== undefined)(
  'the export’s vocabulary tables against the official vocabularies',
  () => {
    it('names EU data themes by their codes and English labels, and the scheme by its title', () => {
      const file = vocabularyFile('data-theme-skos-ap-act');
      const themes = concepts(file, `${EU}/data-theme`);
      expect(missing(Object.keys(EU_THEMES), `${EU}/data-theme/`, themes)).toEqual([]);
      for (const [code, label] of Object.entries(EU_THEMES))
        expect(englishLabel(file, `${EU}/data-theme/${code}`), code).toBe(label);
      expect(englishLabel(file, `${EU}/data-theme`)).toBe(EU_THEME_SCHEME['dct:title']['@value']);
    });

    it('maps every update frequency to a frequency concept', () => {
      const known = concepts(vocabularyFile('frequencies-skos-ap-act'), `${EU}/frequency`);
      expect(missing(Object.values(FREQUENCY), `${EU}/frequency/`, known)).toEqual([]);
    });

    it('maps formats only to file-type concepts', () => {
      const known = concepts(vocabularyFile('filetypes-skos-ap-act'), `${EU}/file-type`);
      expect(missing(FILE_TYPES, `${EU}/file-type/`, known)).toEqual([]);
    });

    it('maps access rights to access-right concepts', () => {
      const known = concepts(vocabularyFile('access-right-skos-ap-act'), `${EU}/access-right`);
      expect(missing(['PUBLIC', 'RESTRICTED', 'NON_PUBLIC'], `${EU}/access-right/`, known)).toEqual([]);
    });

    it('accepts only languages of the EU language table', () => {
      const file = vocabularyFile('languages-filtered');
      const known = new Set(
        file
          .getQuads(
            null,
            'http://www.w3.org/1999/02/22-rdf-syntax-ns#type',
            'http://www.w3.org/2004/02/skos/core#Concept',
            null,
          )
          .map((q) => q.subject.value),
      );
      expect(missing(EU_LANGUAGE_CODES, `${EU}/language/`, known)).toEqual([]);
    });

    it('types licences and publishers with ADMS concepts under their ADMS labels', () => {
      const file = vocabularyFile('ADMS_SKOS_v1.00');
      const licenceTypes = concepts(file, 'http://purl.org/adms/licencetype/1.0');
      const used = new Set(Object.values(SPDX_LICENCES).flatMap((l) => l.types));
      expect(missing(used, 'http://purl.org/adms/licencetype/', licenceTypes)).toEqual([]);
      for (const [code, label] of Object.entries(LICENCE_TYPES))
        expect(englishLabel(file, `http://purl.org/adms/licencetype/${code}`), code).toBe(label);
      const publisherTypes = concepts(file, 'http://purl.org/adms/publishertype/1.0');
      expect(missing(PUBLISHER_TYPES, 'http://purl.org/adms/publishertype/', publisherTypes)).toEqual([]);
      for (const [code, label] of Object.entries(PUBLISHER_TYPE_LABELS))
        expect(englishLabel(file, `http://purl.org/adms/publishertype/${code}`), code).toBe(label);
    });
  },
);
