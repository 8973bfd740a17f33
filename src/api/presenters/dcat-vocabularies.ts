import type { PublisherType } from '../../domain/directory/catalog-description.js';
import type { AccessRights, UpdateFrequency } from '../../domain/directory/catalog-metadata.js';

/**
 * The controlled vocabularies of the DCAT-AP export, as JSON-LD nodes that
 * declare what the DCAT-AP 3 range and vocabulary shapes check: each concept
 * carries its class (dct:RightsStatement, dct:Frequency, skos:Concept…), its
 * scheme (skos:inScheme) and, where it is a skos:Concept, its English label.
 * A harvester can then validate the export without loading the tables. Every
 * code and label here is checked against the official vocabulary files by
 * test/integration/dcat-ap-conformance.test.ts.
 */

export const EU = 'http://publications.europa.eu/resource/authority';
const ADMS = 'http://purl.org/adms';

const en = (label: string) => ({ '@value': label, '@language': 'en' });

const ACCESS_RIGHT: Record<AccessRights, string> = {
  public: 'PUBLIC',
  restricted: 'RESTRICTED',
  'non-public': 'NON_PUBLIC',
};

/** dct:accessRights: an EU access-right concept, a dct:RightsStatement. */
export function accessRightNode(rights: AccessRights) {
  return {
    '@id': `${EU}/access-right/${ACCESS_RIGHT[rights]}`,
    '@type': 'dct:RightsStatement',
    'skos:inScheme': { '@id': `${EU}/access-right` },
  };
}

export const FREQUENCY: Record<UpdateFrequency, string> = {
  continuous: 'CONT',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  biweekly: 'BIWEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  irregular: 'IRREG',
  never: 'NEVER',
  unknown: 'UNKNOWN',
};

/** dct:accrualPeriodicity: an EU frequency concept, a dct:Frequency. */
export function frequencyNode(frequency: UpdateFrequency) {
  return {
    '@id': `${EU}/frequency/${FREQUENCY[frequency]}`,
    '@type': 'dct:Frequency',
    'skos:inScheme': { '@id': `${EU}/frequency` },
  };
}

/** The EU data-theme table (DCAT-AP's theme scheme): code → English label. */
export const EU_THEMES: Readonly<Record<string, string>> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
};

export const EU_THEME_SCHEME = {
  '@id': `${EU}/data-theme`,
  '@type': 'skos:ConceptScheme',
  'dct:title': en('Data theme Named Authority List'),
};

/** The EU data-theme code a theme names, given as its code (any case) or its URI; else undefined. */
export function euThemeCode(theme: string): string | undefined {
  const code = theme.startsWith(`${EU}/data-theme/`) ? theme.slice(EU.length + 12) : theme.toUpperCase();
  return Object.hasOwn(EU_THEMES, code) ? code : undefined;
}

/** dcat:theme for an EU data theme: a skos:Concept with its label and scheme. */
export function euThemeNode(code: string) {
  return {
    '@id': `${EU}/data-theme/${code}`,
    '@type': 'skos:Concept',
    'skos:prefLabel': en(EU_THEMES[code]!),
    'skos:inScheme': { '@id': `${EU}/data-theme` },
  };
}

/** dct:language: an EU language concept, a dct:LinguisticSystem (codes checked by the domain). */
export function languageNode(code: string) {
  return {
    '@id': `${EU}/language/${code}`,
    '@type': 'dct:LinguisticSystem',
    'skos:inScheme': { '@id': `${EU}/language` },
  };
}

/** ADMS licence types (http://purl.org/adms/licencetype/1.0): code → English label. */
export const LICENCE_TYPES = {
  Attribution: 'Attribution',
  PublicDomain: 'Public domain',
  'ViralEffect-ShareAlike': 'Viral effect (a.k.a. Share-alike)',
  NonCommercialUseOnly: 'Non-commercial use only',
  NoDerivativeWork: 'No derivative work',
} as const;
type LicenceType = keyof typeof LICENCE_TYPES;

/**
 * The licence types (dct:type of a dct:LicenseDocument) of the SPDX licences
 * departments commonly publish under, keyed by the SPDX id in lower case (SPDX
 * ids match case-insensitively) with the canonical id. Other licences are
 * exported without a type: the recommendation stays a warning.
 */
export const SPDX_LICENCES: Readonly<Record<string, { id: string; types: readonly LicenceType[] }>> =
  Object.fromEntries(
    (
      [
        ['CC0-1.0', ['PublicDomain']],
        ['PDDL-1.0', ['PublicDomain']],
        ['CC-BY-3.0', ['Attribution']],
        ['CC-BY-4.0', ['Attribution']],
        ['CC-BY-SA-3.0', ['Attribution', 'ViralEffect-ShareAlike']],
        ['CC-BY-SA-4.0', ['Attribution', 'ViralEffect-ShareAlike']],
        ['CC-BY-NC-4.0', ['Attribution', 'NonCommercialUseOnly']],
        ['CC-BY-ND-4.0', ['Attribution', 'NoDerivativeWork']],
        ['CC-BY-NC-SA-4.0', ['Attribution', 'NonCommercialUseOnly', 'ViralEffect-ShareAlike']],
        ['CC-BY-NC-ND-4.0', ['Attribution', 'NonCommercialUseOnly', 'NoDerivativeWork']],
        ['ODC-By-1.0', ['Attribution']],
        ['ODbL-1.0', ['Attribution', 'ViralEffect-ShareAlike']],
        ['OGL-UK-3.0', ['Attribution']],
        ['etalab-2.0', ['Attribution']],
        ['DL-DE-BY-2.0', ['Attribution']],
      ] as const
    ).map(([id, types]) => [id.toLowerCase(), { id, types }]),
  );

function licenceTypeNode(type: LicenceType) {
  return {
    '@id': `${ADMS}/licencetype/${type}`,
    '@type': 'skos:Concept',
    'skos:prefLabel': en(LICENCE_TYPES[type]),
    'skos:inScheme': { '@id': `${ADMS}/licencetype/1.0` },
  };
}

const isUri = (text: string) => /^https?:\/\//.test(text);

/**
 * dct:license: a licence URI as given, an SPDX id as its SPDX URI (typed when
 * known), else a document of the describing resource (`owner`) labelled with
 * what the publisher wrote: an IRI of its own, so the catalog page and the
 * entry document, merged by a harvester, still name one licence.
 */
export function licenceNode(value: string, owner: string) {
  if (isUri(value)) return { '@id': value, '@type': 'dct:LicenseDocument' };
  const known = SPDX_LICENCES[value.toLowerCase()];
  if (known !== undefined) {
    return {
      '@id': `http://spdx.org/licenses/${known.id}`,
      '@type': 'dct:LicenseDocument',
      'dct:type': known.types.map(licenceTypeNode),
    };
  }
  // An SPDX identifier (OGL-UK-2.0, MIT…) has a stable SPDX licence URI.
  if (/^[A-Za-z0-9.+-]+$/.test(value))
    return { '@id': `http://spdx.org/licenses/${value}`, '@type': 'dct:LicenseDocument' };
  return { '@id': `${owner}#licence`, '@type': 'dct:LicenseDocument', 'rdfs:label': value };
}

/** ADMS publisher types: code → English label. */
export const PUBLISHER_TYPE_LABELS: Record<PublisherType, string> = {
  'Academia-ScientificOrganisation': 'Academia/Scientific organisation',
  Company: 'Company',
  IndustryConsortium: 'Industry consortium',
  LocalAuthority: 'Local Authority',
  NationalAuthority: 'National authority',
  NonGovernmentalOrganisation: 'Non-Governmental Organisation',
  NonProfitOrganisation: 'Non-Profit Organisation',
  'PrivateIndividual(s)': 'Private Individual(s)',
  RegionalAuthority: 'Regional authority',
  StandardisationBody: 'Standardisation body',
  SupraNationalAuthority: 'Supra-national authority',
};

/** dct:type of an agent: an ADMS publisher type, a skos:Concept. */
export function publisherTypeNode(type: PublisherType) {
  return {
    '@id': `${ADMS}/publishertype/${type}`,
    '@type': 'skos:Concept',
    'skos:prefLabel': en(PUBLISHER_TYPE_LABELS[type]),
    'skos:inScheme': { '@id': `${ADMS}/publishertype/1.0` },
  };
}
