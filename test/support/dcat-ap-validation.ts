import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';
import { Parser, Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { expect } from 'vitest';

/**
 * Validates the directory's DCAT-AP JSON-LD against the official DCAT-AP
 * 3.0.1 SHACL shapes (the split set: shapes, shapes_recommended, range,
 * mdr-vocabularies, deprecateduris) with the EU vocabularies in the data
 * graph, as the Interoperable Europe validator does. Offline: the JSON-LD
 * context is inline and the document loader refuses every URL; the shapes and
 * vocabularies are files (docs/directory.md, "The fixtures", says where they
 * come from and where they are kept).
 */

const FIXTURES = 'dcat-ap-3.0.1';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function candidateDirs(): string[] {
  return [
    process.env['CHANCERY_DCAT_AP_FIXTURES'],
    join(REPO, 'test', 'fixtures', FIXTURES),
    join(REPO, '..', 'shared', FIXTURES),
    join(REPO, '..', '..', 'shared', FIXTURES),
  ].filter((c): c is string => c !== undefined && c !== '');
}

/**
 * Why the official shapes cannot be checked against here, or undefined when
 * they can. The shapes and vocabularies are third-party data that this
 * repository may not carry (docs/directory.md, "The fixtures"), so a machine
 * without them reports the conformance checks skipped with this reason, as the
 * container suites do without Docker; wherever they are, the checks run.
 */
export const DCAT_AP_SKIP_REASON: string | undefined = (() => {
  const dirs = candidateDirs();
  if (dirs.some((c) => existsSync(join(c, 'shapes', 'shapes.ttl')))) return undefined;
  return `the DCAT-AP 3.0.1 shapes and vocabularies are not on this machine (looked in ${dirs.join(', ')}; docs/directory.md, "The fixtures", lists the files and their sources)`;
})();

if (DCAT_AP_SKIP_REASON !== undefined) console.warn(`[DCAT-AP conformance] SKIPPED: ${DCAT_AP_SKIP_REASON}`);

/**
 * Where the fixtures are: $CHANCERY_DCAT_AP_FIXTURES, test/fixtures/dcat-ap-3.0.1,
 * or dcat-ap-3.0.1 in a shared/ folder beside the checkout or one of its parents.
 */
export function fixturesDir(): string {
  const candidates = candidateDirs();
  const found = candidates.find((c) => existsSync(join(c, 'shapes', 'shapes.ttl')));
  if (found === undefined) throw new Error(DCAT_AP_SKIP_REASON);
  return found;
}

const SHAPE_FILES = [
  'shapes.ttl',
  'shapes_recommended.ttl',
  'range.ttl',
  'mdr-vocabularies.shape.ttl',
  'deprecateduris.ttl',
];

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const IN_SCHEME = 'http://www.w3.org/2004/02/skos/core#inScheme';
const PREF_LABEL = 'http://www.w3.org/2004/02/skos/core#prefLabel';
const OWL_IMPORTS = 'http://www.w3.org/2002/07/owl#imports';

function parseInto(store: Store, text: string, baseIRI: string): void {
  store.addQuads(new Parser({ baseIRI }).parse(text));
}

/**
 * The background knowledge the shapes read from the vocabularies: of each
 * concept in a scheme, its classes, its scheme and its English label. The
 * scheme resources themselves are left out: they are the tables' business,
 * not the export's (the EU files carry no dct:title on them, which the
 * category-scheme shape would report against the table, not against us).
 */
function vocabularyFacts(text: string): Store {
  const all = new Store(new Parser({ format: 'N-Triples' }).parse(text));
  const facts = new Store();
  for (const q of all.getQuads(null, IN_SCHEME, null, null)) {
    const concept = q.subject;
    for (const p of all.getQuads(concept, null, null, null)) {
      const keep =
        p.predicate.value === RDF_TYPE ||
        p.predicate.value === IN_SCHEME ||
        (p.predicate.value === PREF_LABEL && p.object.termType === 'Literal' && p.object.language === 'en');
      if (keep) facts.addQuad(p);
    }
  }
  return facts;
}

/** One vocabulary file whole (name without .nt), for checking the code's tables against it. */
export function vocabularyFile(name: string): Store {
  const text = readFileSync(join(loadFixtures().dir, 'vocabularies', `${name}.nt`), 'utf8');
  return new Store(new Parser({ format: 'N-Triples' }).parse(text));
}

export interface DcatApFixtures {
  readonly dir: string;
  readonly shapes: Store;
  /** The vocabulary facts, one store per file (name without .nt). */
  readonly vocabularies: ReadonlyMap<string, Store>;
}

let loaded: DcatApFixtures | undefined;

export function loadFixtures(): DcatApFixtures {
  if (loaded !== undefined) return loaded;
  const dir = fixturesDir();
  const shapes = new Store();
  for (const file of SHAPE_FILES)
    parseInto(shapes, readFileSync(join(dir, 'shapes', file), 'utf8'), `file:///${file}`);
  // deprecateduris.ttl imports the ADMS vocabulary into the shapes graph; it is data here instead.
  shapes.removeQuads(shapes.getQuads(null, OWL_IMPORTS, null, null));
  const vocabularies = new Map<string, Store>();
  for (const file of readdirSync(join(dir, 'vocabularies'))
    .filter((f) => f.endsWith('.nt'))
    .sort()) {
    vocabularies.set(
      file.slice(0, -3),
      vocabularyFacts(readFileSync(join(dir, 'vocabularies', file), 'utf8')),
    );
  }
  loaded = { dir, shapes, vocabularies };
  return loaded;
}

/** JSON-LD to N-Quads with nothing fetched: every remote context or document is refused. */
export async function toQuads(doc: object): Promise<string> {
  const documentLoader = async (url: string): Promise<never> => {
    throw new Error(`the export must not need ${url}: its context is inline`);
  };
  // safe mode: a term the context does not define is an error, not a silently dropped triple.
  return (await jsonld.toRDF(
    doc as jsonld.JsonLdDocument,
    {
      format: 'application/n-quads',
      documentLoader,
      safe: true,
    } as jsonld.Options.ToRdf,
  )) as unknown as string;
}

export interface ShaclResult {
  readonly severity: 'Violation' | 'Warning' | 'Info';
  readonly focusNode: string;
  readonly path: string;
  readonly value: string;
  readonly component: string;
  readonly sourceShape: string;
  readonly message: string;
}

export interface ConformanceReport {
  readonly violations: ShaclResult[];
  readonly warnings: ShaclResult[];
  /** Results of the known defect in mdr-vocabularies.shape.ttl (see isKnownShapeBug). */
  readonly knownShapeBug: ShaclResult[];
  readonly quads: number;
  /** Everything, one result a line, to print when an assertion fails. */
  text(): string;
}

const SPDX_SHA256 = 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256';

/**
 * The one known defect of the 3.0.1 shapes: ChecksumAlgorithmRestriction
 * requires the algorithm IRI to start with https://spdx.org/rdf/terms, but the
 * SPDX namespace (and DCAT-AP's own examples) is http://spdx.org/rdf/terms#.
 * The property shape carries no sh:severity, so it reports a Violation for a
 * correct checksum. It stays, reported as a warning.
 */
export function isKnownShapeBug(r: ShaclResult): boolean {
  return (
    r.path === 'http://spdx.org/rdf/terms#algorithm' &&
    r.component.endsWith('#NodeConstraintComponent') &&
    r.value === SPDX_SHA256
  );
}

const short = (iri: string) =>
  iri
    .replace('http://www.w3.org/ns/shacl#', 'sh:')
    .replace('http://www.w3.org/ns/dcat#', 'dcat:')
    .replace('http://purl.org/dc/terms/', 'dct:')
    .replace('http://spdx.org/rdf/terms#', 'spdx:');

export function describeResult(r: ShaclResult): string {
  return `${r.severity} ${short(r.component)} at <${r.focusNode}> ${short(r.path)} = ${r.value}: ${r.message} [${r.sourceShape}]`;
}

function toResult(result: {
  severity?: { value: string } | null;
  focusNode?: { value: string } | null;
  path?: { value: string } | null;
  value?: { value: string } | null;
  sourceConstraintComponent?: { value: string } | null;
  sourceShape?: { value: string; termType: string } | null;
  message?: { value: string }[];
}): ShaclResult {
  const severity = (result.severity?.value ?? '').replace('http://www.w3.org/ns/shacl#', '');
  return {
    severity: severity as ShaclResult['severity'],
    focusNode: result.focusNode?.value ?? '',
    path: result.path?.value ?? '',
    value: result.value?.value ?? '',
    component: result.sourceConstraintComponent?.value ?? '',
    sourceShape: result.sourceShape?.termType === 'BlankNode' ? '(blank)' : (result.sourceShape?.value ?? ''),
    message: (result.message ?? []).map((m) => m.value).join('; '),
  };
}

/** Validates JSON-LD documents (merged into one graph, with the vocabularies) against the shapes. */
export async function validateDcatAp(docs: readonly object[]): Promise<ConformanceReport> {
  const fixtures = loadFixtures();
  const data = new Store();
  for (const doc of docs) parseInto(data, await toQuads(doc), 'urn:x-export:');
  const quads = data.size;
  for (const vocabulary of fixtures.vocabularies.values())
    data.addQuads(vocabulary.getQuads(null, null, null, null));
  const validator = new SHACLValidator(fixtures.shapes);
  const report = await validator.validate(data);
  const results = report.results.map(toResult);
  const known = results.filter(isKnownShapeBug);
  const violations = results.filter((r) => r.severity === 'Violation' && !isKnownShapeBug(r));
  const warnings = results.filter((r) => r.severity !== 'Violation');
  return {
    violations,
    warnings,
    knownShapeBug: known,
    quads,
    text: () => results.map(describeResult).join('\n'),
  };
}

/** What docs/directory.md says may remain as a warning: the property (or shape) and why. */
export const DOCUMENTED_WARNINGS: readonly { path: string; component: string }[] = [
  // The departments are not EU corporate bodies (mdr-vocabularies: CorporateBodyRestriction).
  { path: 'http://purl.org/dc/terms/publisher', component: 'NodeConstraintComponent' },
  // A spatial coverage given as a bounding box or label is a blank dct:Location, or a URI
  // outside the EU country/place/continent tables and GeoNames (mdr-vocabularies).
  { path: 'http://purl.org/dc/terms/spatial', component: 'NodeKindConstraintComponent' },
  { path: 'http://purl.org/dc/terms/spatial', component: 'NodeConstraintComponent' },
  // Themes of the catalog's own scheme are not EU data themes (mdr-vocabularies: DataThemeRestriction).
  { path: 'http://www.w3.org/ns/dcat#theme', component: 'NodeConstraintComponent' },
  // Recommended properties a publisher did not state (shapes_recommended).
  { path: 'http://www.w3.org/ns/dcat#contactPoint', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/spatial', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/temporal', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#keyword', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#theme', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#distribution', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#startDate', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#endDate', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#bbox', component: 'MinCountConstraintComponent' },
  { path: 'http://www.w3.org/ns/dcat#centroid', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/description', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/format', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/type', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/language', component: 'MinCountConstraintComponent' },
  { path: 'http://purl.org/dc/terms/license', component: 'MinCountConstraintComponent' },
  // dcatap:availability: the planned-availability table is not among the fixtures (docs/directory.md).
  { path: 'http://data.europa.eu/r5r/availability', component: 'MinCountConstraintComponent' },
];

const documented = (r: ShaclResult) =>
  DOCUMENTED_WARNINGS.some((d) => r.path === d.path && r.component.endsWith(`#${d.component}`));

/** No violation, and no warning that docs/directory.md does not list. */
export function expectConformant(report: ConformanceReport): void {
  expect(report.quads).toBeGreaterThan(0);
  expect(report.violations.map(describeResult), report.text()).toEqual([]);
  const undocumented = report.warnings.filter((w) => !documented(w));
  expect(undocumented.map(describeResult), report.text()).toEqual([]);
  // The one known shape defect: reported for every checksum, and nothing else under its name.
  for (const r of report.knownShapeBug) expect(r.focusNode).not.toBe('');
}

/**
 * For tests whose conformance check is one step among others: validates and
 * expects conformance where the fixtures are; on a machine without them the
 * skip was reported once, above, with its reason.
 */
export async function expectExportConformant(docs: readonly object[]): Promise<void> {
  if (DCAT_AP_SKIP_REASON !== undefined) return;
  expectConformant(await validateDcatAp(docs));
}
