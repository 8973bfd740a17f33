/**
 * The verifier's technical detail under each step, in the reader's language.
 * The verifier (src/domain/proof) speaks English, as `chancery verify` prints
 * it; the page reads each sentence back by its fixed shape and says it from
 * the catalogue, with the facts (ids, sizes, times, hashes, names) as
 * parameters. A sentence of a shape not listed here is shown as the verifier
 * wrote it, marked lang="en": never dropped, never guessed.
 * test/unit/web/technical-detail.test.ts renders every shape in both languages.
 * Pure.
 */
import type { Message, MessageKey } from '../i18n/catalogue.js';

type DetailKey = MessageKey & `step.detail.${string}`;

const ID = '(\\S+?)';
const N = '(\\d+)';
const ANY = '(.+?)';

/** Each shape: the English sentence (its facts as capture groups, in order) and its message. */
const SHAPES: readonly (readonly [RegExp, DetailKey, readonly string[]])[] = [
  shape(
    `${ID} signed this certification on ${ID}, log entry ${N}, with key ${ID} \\(registered at log entry ${N}, not retired\\)\\.`,
    'step.detail.signedRecord',
    ['actor', 'at', 'leaf', 'key', 'registered'],
  ),
  shape(
    `${ID} signed this certification on ${ID}, log entry ${N}, with key ${ID} \\(registered at log entry ${N}, retired at entry ${N}\\)\\.`,
    'step.detail.signedRecordRetired',
    ['actor', 'at', 'leaf', 'key', 'registered', 'retired'],
  ),
  shape(
    `${ID} signed a batch of ${N} records on ${ID}, log entry ${N}, with key ${ID} \\(registered at log entry ${N}, not retired\\)\\.`,
    'step.detail.signedBatch',
    ['actor', 'count', 'at', 'leaf', 'key', 'registered'],
  ),
  shape(
    `${ID} signed a batch of ${N} records on ${ID}, log entry ${N}, with key ${ID} \\(registered at log entry ${N}, retired at entry ${N}\\)\\.`,
    'step.detail.signedBatchRetired',
    ['actor', 'count', 'at', 'leaf', 'key', 'registered', 'retired'],
  ),
  shape(
    `${ID} signed this certification on ${ID} with key ${ID} \\(in use since ${ID}\\)\\.`,
    'step.detail.signedRecordV1',
    ['actor', 'at', 'key', 'since'],
  ),
  shape(
    `${ID} signed a batch of ${N} records on ${ID} with key ${ID} \\(in use since ${ID}\\)\\.`,
    'step.detail.signedBatchV1',
    ['actor', 'count', 'at', 'key', 'since'],
  ),
  shape(
    `The certification is entry ${N} of the ${N} entries in the checkpoint's log tree\\.`,
    'step.detail.included',
    ['leaf', 'size'],
  ),
  shape(
    `The record's batch is entry ${N} of the ${N} entries in the checkpoint's log tree\\.`,
    'step.detail.includedBatch',
    ['leaf', 'size'],
  ),
  shape(
    `The authority \\(key ${ID}\\) vouches for key ${ID} of ${ID}: registered at log entry ${N}\\.`,
    'step.detail.vouched',
    ['authority', 'key', 'identity', 'registered'],
  ),
  shape(
    `The authority \\(key ${ID}\\) vouches for key ${ID} of ${ID}, through ${N} earlier key\\(s\\) of ${ID}: registered at log entry ${N}\\.`,
    'step.detail.vouchedThrough',
    ['authority', 'key', 'identity', 'earlier', 'identity2', 'registered'],
  ),
  // Before the shapes with names: "no witness" is the verifier's words, not a witness's name.
  shape(
    `Signed by the log ${ID} at ${N} entries\\. Cosigned by no witness \\(0 of ${N} witnesses\\); not by ${ANY}: the quorum \\(${ANY}\\) is not met\\.`,
    'step.detail.quorumNoneCosigned',
    ['origin', 'size', 'total', 'missing', 'quorum'],
  ),
  shape(
    `Signed by the log ${ID} at ${N} entries\\. Cosigned by ${ANY} \\(${N} of ${N} witnesses\\): the quorum \\(${ANY}\\) is met\\.`,
    'step.detail.quorumMet',
    ['origin', 'size', 'names', 'count', 'total', 'quorum'],
  ),
  shape(
    `Signed by the log ${ID} at ${N} entries\\. Cosigned by ${ANY} \\(${N} of ${N} witnesses\\); not by ${ANY}: the quorum \\(${ANY}\\) is met\\.`,
    'step.detail.quorumMetNotAll',
    ['origin', 'size', 'names', 'count', 'total', 'missing', 'quorum'],
  ),
  shape(
    `Signed by the log ${ID} at ${N} entries\\. Cosigned by ${ANY} \\(${N} of ${N} witnesses\\); not by ${ANY}: the quorum \\(${ANY}\\) is not met\\.`,
    'step.detail.quorumNotMet',
    ['origin', 'size', 'names', 'count', 'total', 'missing', 'quorum'],
  ),
  shape(
    `Signed by the log ${ID} \\(key ${ID}\\) at ${N} entries\\. No witnesses configured: the checkpoint rests on the log's signature alone\\.`,
    'step.detail.logOnly',
    ['origin', 'key', 'size'],
  ),
  shape(
    `Signed by the log ${ID} \\(key ${ID}\\) at ${N} entries\\. Cosigned by ${N} of ${N} witnesses \\(${N} required\\)\\.`,
    'step.detail.cosignedCount',
    ['origin', 'key', 'size', 'count', 'total', 'required'],
  ),
  shape(`Valid since ${ID}, with no end date\\.`, 'step.detail.validOpen', ['from']),
  shape(`Valid from ${ID} until ${ID}\\.`, 'step.detail.validWindow', ['from', 'until']),
  shape(`expired: was valid until ${ID}`, 'step.detail.expired', ['until']),
  shape(`not valid yet: valid from ${ID}`, 'step.detail.notYet', ['from']),
  shape(
    `Active: the state map of the checkpoint's ${N} entries proves no suspension or revocation\\.`,
    'step.detail.active',
    ['size'],
  ),
  shape(
    `Active: reinstated on ${ID} by ${ID} \\(log entry ${N}\\); the state map of the checkpoint's ${N} entries proves it\\.`,
    'step.detail.reinstated',
    ['at', 'by', 'leaf', 'size'],
  ),
  shape(`Revoked on ${ID} by ${ID} \\(log entry ${N}\\): ${ANY}`, 'step.detail.revoked', [
    'at',
    'by',
    'leaf',
    'reason',
  ]),
  shape(`Suspended on ${ID} by ${ID} \\(log entry ${N}\\): ${ANY}`, 'step.detail.suspended', [
    'at',
    'by',
    'leaf',
    'reason',
  ]),
  shape(
    `Record ${N} of the ${N} in batch ${ID}: its digest leads to the batch root the department signed\\.`,
    'step.detail.inBatch',
    ['index', 'count', 'batch'],
  ),
  shape(`Your document's SHA-256 is ${ID}, the certified digest\\.`, 'step.detail.documentMatches', [
    'digest',
  ]),
  shape(
    `your document's SHA-256 is ${ID}, the certified one is ${ID}: it is a different document`,
    'step.detail.documentDiffers',
    ['digest', 'certified'],
  ),
  shape(
    `The state is proven as of ${ID}, when the witnesses had cosigned the checkpoint\\.`,
    'step.detail.provenAsOf',
    ['asOf'],
  ),
  shape(
    "No witness quorum vouches for a time: the state is as of the log's checkpoint, whose time only the log asserts\\.",
    'step.detail.timeUnknown',
    [],
  ),
  shape(`the entry's ${ID} differs from the signed command's`, 'step.detail.fieldDiffers', ['field']),
  shape(
    "the inclusion proof does not lead to the checkpoint's root: the entry or the proof was altered",
    'step.detail.inclusionAltered',
    [],
  ),
  shape(
    'the batch path does not lead to the signed batch root: the record digest or the path was altered',
    'step.detail.batchPathAltered',
    [],
  ),
  shape(
    'the batch root in the bundle is not the one the department signed',
    'step.detail.batchRootAltered',
    [],
  ),
  shape(`the bundle says the log has ${N} entries, the checkpoint says ${N}`, 'step.detail.treeSizeDiffers', [
    'bundle',
    'checkpoint',
  ]),
];

function shape(
  pattern: string,
  key: DetailKey,
  names: readonly string[],
): readonly [RegExp, DetailKey, readonly string[]] {
  return [new RegExp(`^${pattern}$`, 's'), key, names];
}

/** The message for a detail of a known shape, or null (then the English is shown as it is). */
export function technicalDetail(detail: string): Message | null {
  for (const [pattern, key, names] of SHAPES) {
    const match = pattern.exec(detail);
    if (match === null) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = match[i + 1] ?? '';
    });
    return { key, params };
  }
  return null;
}

/** Every shape's message key: for the tests that render each one in both languages. */
export const TECHNICAL_DETAIL_KEYS: readonly DetailKey[] = SHAPES.map(([, key]) => key);
