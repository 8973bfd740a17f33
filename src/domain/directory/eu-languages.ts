/**
 * The languages a catalog entry or the catalog may state (dct:language), as
 * codes of the EU Publications Office language authority table: the export
 * names them http://publications.europa.eu/resource/authority/language/{code}.
 * The table holds several hundred codes; these are the official EU languages
 * and the other languages the province's departments are likely to publish
 * in. The DCAT-AP conformance test checks each against the table. A code is
 * added here, not guessed at: an unknown one is refused (LANGUAGE_UNKNOWN)
 * rather than exported as a concept the table does not have.
 */
export const EU_LANGUAGE_CODES: ReadonlySet<string> = new Set([
  // The 24 official languages of the EU.
  'BUL',
  'CES',
  'DAN',
  'DEU',
  'ELL',
  'ENG',
  'EST',
  'FIN',
  'FRA',
  'GLE',
  'HRV',
  'HUN',
  'ITA',
  'LAV',
  'LIT',
  'MLT',
  'NLD',
  'POL',
  'POR',
  'RON',
  'SLK',
  'SLV',
  'SPA',
  'SWE',
  // Others.
  'ARA',
  'CAT',
  'EUS',
  'GLG',
  'ISL',
  'JPN',
  'KOR',
  'LTZ',
  'NOR',
  'RUS',
  'TUR',
  'UKR',
  'ZHO',
]);

/** The codes in `codes` that are not in EU_LANGUAGE_CODES, in the order given. */
export function unknownLanguages(codes: readonly string[]): string[] {
  return codes.filter((code) => !EU_LANGUAGE_CODES.has(code));
}
