import { open, readFile } from 'node:fs/promises';
import { FederationError, parseTrustPolicy, type TrustPolicy } from '../../domain/federation/index.js';
import {
  LogProofError,
  parseVerifierKey,
  parseWitnessKey,
  SIGNATURE_TYPE_ED25519,
} from '../../domain/log/index.js';
import { type VerificationReport, verifyProofBundle } from '../../domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import { parsePublicKey } from '../../protocol/key-pair.js';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_OK,
  NodeUnreachableError,
  UsageError,
} from '../command-line/cli-errors.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { parseTimeArg } from '../command-line/dates.js';
import { sha256File } from '../files/file-digest.js';
import { describeFsError } from '../files/fs-errors.js';
import { parseDuration } from './directory/duration.js';
import { type IncludedBundle, inclusionFromTiles, type TilesInclusion } from './tiles-inclusion.js';

/** A real bundle is a few kilobytes; anything this big is not one, and is not read into memory. */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
const CERTIFICATION_ID = /^crt_[a-z2-7]{24}$/;

interface Source {
  readonly bundle: unknown;
  /** The certification the URL named, when it named one: a bundle for another must fail. */
  readonly expectedId?: string;
}

function checkTrustKeys(keys: readonly string[], flag: string, parse: (key: string) => unknown): void {
  for (const key of keys) {
    try {
      parse(key);
    } catch (error) {
      const reason = error instanceof LogProofError ? error.message : String(error);
      throw new UsageError(`${flag} ${key}: not a C2SP verifier key (${reason})`, 'verify');
    }
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${where} is not JSON: it is not a proof bundle`);
  }
}

async function readBundleFile(path: string): Promise<Source> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      // Bounded read: a proof bundle is small, and a wrong path could name a huge file.
      if ((await file.stat()).size > MAX_BUNDLE_BYTES) {
        throw new CliError(`${path} is larger than ${MAX_BUNDLE_BYTES} bytes: it is not a proof bundle`);
      }
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  return { bundle: parseJson(text, path) };
}

/** A proof page URL (…/p/ID) becomes its bundle URL (…/v1/proofs/ID); a bundle URL is used as given. */
export function bundleUrlOf(url: URL): { url: URL; expectedId?: string } {
  const page = /^(.*)\/p\/([^/]+)\/?$/.exec(url.pathname);
  if (page !== null && CERTIFICATION_ID.test(page[2]!)) {
    const bundleUrl = new URL(url.href);
    bundleUrl.pathname = `${page[1]}/v1/proofs/${page[2]}`;
    bundleUrl.search = '';
    bundleUrl.hash = '';
    return { url: bundleUrl, expectedId: page[2]! };
  }
  const proofs = /\/v1\/proofs\/([^/]+)$/.exec(url.pathname);
  return proofs !== null && CERTIFICATION_ID.test(proofs[1]!) ? { url, expectedId: proofs[1]! } : { url };
}

async function fetchBundle(raw: string): Promise<Source> {
  const { url, expectedId } = bundleUrlOf(new URL(raw));
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new NodeUnreachableError(url.origin, cause ?? (error as Error).message);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BUNDLE_BYTES)
    throw new CliError(`${url.href} answered ${length} bytes: not a proof bundle`);
  const text = await response.text();
  if (!response.ok) {
    const body = (() => {
      try {
        return JSON.parse(text) as { code?: unknown; detail?: unknown };
      } catch {
        return {};
      }
    })();
    const retry = response.headers.get('retry-after');
    const what =
      typeof body.code === 'string' ? `${body.code}: ${String(body.detail)}` : `HTTP ${response.status}`;
    throw new CliError(`${url.href} refused: ${what}${retry === null ? '' : ` (retry after ${retry} s)`}`);
  }
  return { bundle: parseJson(text, url.href), ...(expectedId === undefined ? {} : { expectedId }) };
}

/** An --authority value: base64 of the raw key, or a public key file (PEM or base64, e.g. authority.key.pub). */
async function authorityKey(value: string): Promise<string> {
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return value;
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch {
    throw new UsageError(
      `--authority ${value}: not base64 of a 32-byte Ed25519 public key, nor a readable key file`,
      'verify',
    );
  }
  try {
    return Buffer.from(parsePublicKey(text)).toString('base64');
  } catch (error) {
    throw new UsageError(`--authority ${value}: ${(error as Error).message}`, 'verify');
  }
}

function certificationIdOf(bundle: unknown): string {
  const id = (bundle as { certificationId?: unknown } | null)?.certificationId;
  return typeof id === 'string' && id.length <= 64 ? id : '(unknown certification)';
}

async function readPolicy(file: string): Promise<TrustPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${describeFsError(error)}`);
  }
  try {
    return parseTrustPolicy(text);
  } catch (error) {
    if (error instanceof FederationError)
      throw new UsageError(`--policy ${file}: ${error.message}`, 'verify');
    throw error;
  }
}

function witnessLines(report: VerificationReport): string[] {
  const { witnessing } = report;
  if (witnessing === undefined) return [];
  const lines = witnessing.cosigners.map((c) => {
    const at = c.timestamp === null ? '' : ` at ${new Date(c.timestamp * 1000).toISOString()}`;
    return `      ${c.cosigned ? '✓' : '·'} witness ${c.name}${c.cosigned ? ` cosigned${at}` : ': no cosignature'}`;
  });
  if (witnessing.samePolicyAsNode === false)
    lines.push('      note: the node that built this proof follows another policy than yours');
  return lines;
}

/** What a citizen should take away, in one line: the headline kind in words. */
const HEADLINES: Record<VerificationReport['headline'], string> = {
  verified: 'verified: every check passed',
  'verified-limited':
    'verified, with a version 1 proof: it cannot show the current state nor that the authority registered the key',
  revoked: 'REVOKED: the record is authentic, and the log proves it revoked',
  suspended: 'SUSPENDED: the record is authentic, and the log proves it suspended',
  expired: 'NOT VALID NOW: the record is authentic and active, but outside its validity period',
  stale:
    'STALE: the record is authentic, but its state is proven only as of a time older than the maximum age',
  'not-verified': 'NOT VERIFIED',
};

function stateLine(report: VerificationReport): string[] {
  const { state } = report;
  if (state === undefined) return [];
  const asOf =
    state.asOf === null
      ? 'no witness time'
      : `as of ${new Date(state.asOf * 1000).toISOString().replace('.000Z', 'Z')}`;
  return [`state: ${state.status} at ${state.treeSize} log entries (set by entry ${state.setAt}), ${asOf}`];
}

function textReport(report: VerificationReport, certificationId: string): string[] {
  const lines = [
    `proof of ${certificationId}${report.version === undefined ? '' : ` (version ${report.version})`}`,
  ];
  for (const step of report.steps) {
    lines.push(`  ${step.ok ? '✓' : '✗'} ${step.label}`, `      ${step.detail}`);
    if (step.id === 'checkpoint') lines.push(...witnessLines(report));
  }
  const failed = report.steps.filter((s) => !s.ok).length;
  lines.push(...stateLine(report));
  lines.push(
    report.headline === 'not-verified'
      ? `NOT VERIFIED: ${failed} of ${report.steps.length} checks failed`
      : HEADLINES[report.headline],
  );
  return lines;
}

/**
 * With --tiles, inclusion recomputed from the log's tiles, once the bundle's checkpoint (signed by a
 * trusted key) and entry have checked out: only then is there a root and a leaf worth proving against.
 */
async function tilesCheck(
  prefix: string | undefined,
  report: VerificationReport,
  bundle: unknown,
): Promise<TilesInclusion | undefined> {
  if (prefix === undefined) return undefined;
  const trusted = ['checkpoint', 'inclusion'].every((id) => report.steps.some((s) => s.id === id && s.ok));
  if (!trusted) return { ok: false, detail: 'not checked: the bundle’s checkpoint or entry did not verify' };
  return inclusionFromTiles(prefix, bundle as IncludedBundle);
}

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary:
    'Verify a proof bundle offline against trusted log keys: the checks of the proof page, with exit 0 only if all pass.',
  scope: 'local',
  positionals: ['BUNDLE'],
  options: {
    trust: {
      type: 'string',
      multiple: true,
      value: 'VKEY',
      description: "the log's C2SP verifier key (name+id+key), as the province publishes it",
    },
    policy: {
      type: 'string',
      value: 'FILE',
      description:
        'a C2SP tlog-policy file: its log keys are trusted, and the checkpoint must be cosigned by its witness quorum',
    },
    document: {
      type: 'string',
      value: 'FILE',
      description: 'also check that FILE is the certified document (hashed here, never sent)',
    },
    witness: {
      type: 'string',
      multiple: true,
      value: 'VKEY',
      description: 'a witness verifier key (cosignature/v1) whose cosignature counts',
    },
    quorum: {
      type: 'string',
      value: 'N',
      description: 'how many --witness keys must have cosigned (default: all of them)',
    },
    authority: {
      type: 'string',
      multiple: true,
      value: 'KEY',
      description:
        "the authority's Ed25519 public key (base64 of 32 bytes, or a .pub file), as the province publishes it: a department's key counts only if the authority registered it",
    },
    'max-age': {
      type: 'string',
      value: 'DURATION',
      description:
        'fail unless the state is proven as of at most this long ago by the witnesses (e.g. 90m, 12h, 7d)',
    },
    tiles: {
      type: 'string',
      value: 'PREFIX',
      description:
        'also compute the inclusion proof here from C2SP tlog-tiles at PREFIX (a node or a static export) and check it against the checkpoint',
    },
    at: {
      type: 'string',
      value: 'TIME',
      description: 'check the validity period at this date or RFC 3339 time instead of now',
    },
  },
  details: `BUNDLE is a proof bundle file (GET /v1/proofs/ID saved as JSON), its URL, or a proof page
URL (…/p/ID), whose bundle is fetched from the same node. Trust comes only from --trust,
--authority and --policy (a log key is needed): the bundle's own node is not believed about which
log it belongs to, which witnesses count, or whose key signed. A version 2 bundle needs the
authority's key (--authority, or an "authority" line in the policy); it proves the record's current
status as of the checkpoint, as of the witnesses' cosignature times (--max-age, or a "max-age" line
in the policy, bounds how old). A version 1 bundle proves neither the current status nor the key's
authority: it fails where the log commits to its state, or when an authority key is given. With --policy the report lists every witness of the
policy, whether it cosigned the checkpoint, and whether the quorum is met (a checkpoint that does
not meet it fails). --witness/--quorum are the policy's simple form: N of the given keys.

exit status: 0 if every check passed, 1 if any failed (or the bundle could not be read), 2 for usage.

example:
  chancery verify https://node.example/p/crt_abcdefghijklmnopqrstuvwx \\
    --trust 'shanxi.gov.example/chancery+4389a85a+AaRWAQv0MOw…' \\
    --authority 'q0bZ1Yl3…=' --max-age 1d --document licence-0042.pdf`,
  async run(args) {
    const source = args.positional(0);
    const trust = args.strings('trust');
    const policyFile = args.string('policy');
    if (trust.length === 0 && policyFile === undefined)
      throw new UsageError('missing --trust VKEY', 'verify');
    checkTrustKeys(trust, '--trust', (k) => parseVerifierKey(k, SIGNATURE_TYPE_ED25519));
    const witnesses = args.strings('witness');
    if (policyFile !== undefined && witnesses.length > 0)
      throw new UsageError('give witnesses either in --policy or as --witness keys, not both', 'verify');
    const policy = policyFile === undefined ? undefined : await readPolicy(policyFile);
    checkTrustKeys(witnesses, '--witness', parseWitnessKey);
    const quorumFlag = args.string('quorum');
    const quorum = quorumFlag === undefined ? witnesses.length : Number(quorumFlag);
    if (
      quorumFlag !== undefined &&
      (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > witnesses.length)
    ) {
      throw new UsageError(
        witnesses.length === 0
          ? '--quorum needs --witness keys'
          : `--quorum ${quorumFlag}: must be a whole number from 1 to ${witnesses.length}`,
        'verify',
      );
    }
    const authorityKeys = await Promise.all(args.strings('authority').map(authorityKey));
    const maxAgeFlag = args.string('max-age');
    const maxAgeSeconds =
      maxAgeFlag === undefined ? undefined : parseDuration('--max-age', maxAgeFlag, 'verify');
    const atFlag = args.string('at');
    const now = atFlag === undefined ? Date.now() : Date.parse(parseTimeArg('--at', atFlag, 'verify'));

    const isUrl = /^https?:\/\//i.test(source);
    if (isUrl && !URL.canParse(source)) throw new UsageError(`${source}: not a URL`, 'verify');
    const documentPath = args.string('document');
    const [loaded, documentDigest] = await Promise.all([
      isUrl ? fetchBundle(source) : readBundleFile(source),
      documentPath === undefined ? undefined : sha256File(documentPath),
    ]);

    const report = verifyProofBundle(loaded.bundle, {
      verify: verifyEd25519,
      trustedLogKeys: trust,
      now,
      ...(policy === undefined ? {} : { policy }),
      ...(witnesses.length === 0 ? {} : { witnesses: { keys: witnesses, quorum } }),
      ...(authorityKeys.length === 0 ? {} : { authorityKeys }),
      ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
      ...(loaded.expectedId === undefined ? {} : { expectedCertificationId: loaded.expectedId }),
      ...(documentDigest === undefined ? {} : { documentDigest }),
    });
    const certificationId = certificationIdOf(loaded.bundle);
    const tiles = await tilesCheck(args.string('tiles'), report, loaded.bundle);
    const ok = report.ok && (tiles?.ok ?? true);
    return {
      json: {
        ok,
        headline: report.headline,
        certificationId,
        ...(report.version === undefined ? {} : { version: report.version }),
        caveats: report.caveats,
        ...(report.state === undefined ? {} : { state: report.state }),
        steps: report.steps,
        ...(report.witnessing === undefined ? {} : { witnessing: report.witnessing }),
        ...(tiles === undefined ? {} : { tilesInclusion: tiles }),
      },
      text: [
        ...textReport(report, certificationId),
        ...(tiles === undefined ? [] : [`${tiles.ok ? '✓' : '✗'} inclusion from tiles: ${tiles.detail}`]),
      ],
      exitCode: ok ? EXIT_OK : EXIT_FAILURE,
    };
  },
};
