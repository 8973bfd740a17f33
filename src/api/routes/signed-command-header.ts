/**
 * A signed command carried in a request header, for uploads whose body is
 * data rather than JSON: base64url (RFC 4648 §5, no padding) of the
 * envelope's JSON. Bounded so it fits the server's 16 KiB of headers; decoded
 * and checked with the same rules as a JSON body (nesting depth, I-JSON,
 * __proto__ refused, the command's JSON Schema) before anything else runs.
 */

import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { decodeBase64Url } from '../../domain/crypto/base64.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { MAX_SIGNED_COMMAND_CHARS } from '../../protocol/signed-command-header.js';
import { depthBeyond, firstNonIJson, MAX_JSON_DEPTH } from '../hardening/json-limits.js';
import { type ValidationIssue, validationProblem } from '../problems/validation-problem.js';
import { createValidators } from '../schemas/validator.js';

const NAME = 'Chancery-Signed-Command';

/** A reader of the header for one command schema; throws a problem naming what is wrong. */
export function signedCommandReader(app: FastifyInstance, envelopeSchema: object) {
  const validate = createValidators().body.compile(envelopeSchema);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  return (value: string | string[] | undefined): SignedEnvelope => {
    const text = headerText(value);
    const json = decodeBase64Url(text);
    if (json === null)
      throw new ProblemError('ENCODING_INVALID', `${NAME} must be base64url (RFC 4648 §5, no padding)`);
    const envelope = parsed(parseJson, Buffer.from(json).toString('utf8'));
    if (!validate(envelope)) throw validationProblem(validate.errors as ValidationIssue[], NAME);
    return envelope as SignedEnvelope;
  };
}

function headerText(value: string | string[] | undefined): string {
  if (value === undefined || value === '')
    throw new ProblemError(
      'SIGNATURE_MISSING',
      `send the signed command as ${NAME}: base64url of the envelope's JSON { payload, signature }`,
    );
  if (Array.isArray(value))
    throw new ProblemError('ENCODING_INVALID', `send ${NAME} once, not ${value.length} times`);
  if (value.length > MAX_SIGNED_COMMAND_CHARS)
    throw new ProblemError(
      'HEADERS_TOO_LARGE',
      `${NAME} is ${value.length} characters; allowed: at most ${MAX_SIGNED_COMMAND_CHARS}`,
    );
  return value;
}

type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/** The header's JSON, parsed like a JSON body: depth bounded first, __proto__ refused, I-JSON only. */
function parsed(parseJson: JsonParser, text: string): unknown {
  if (depthBeyond(text, MAX_JSON_DEPTH) !== null)
    throw new ProblemError('BODY_TOO_DEEP', `${NAME} nests more than ${MAX_JSON_DEPTH} levels deep`, {
      maxDepth: MAX_JSON_DEPTH,
    });
  let value: unknown;
  let failure: Error | null = null;
  // The default parser answers through a callback, synchronously.
  parseJson(undefined as never, text, (error: Error | null, result?: unknown) => {
    failure = error;
    value = result;
  });
  if (failure !== null)
    throw new ProblemError(
      'BODY_MALFORMED',
      `${NAME} is not the base64url of JSON: ${(failure as Error).message}`,
    );
  const bad = firstNonIJson(value);
  if (bad !== null)
    throw new ProblemError(
      'BODY_NOT_I_JSON',
      `${NAME}${bad.pointer} is ${bad.reason}; allowed: I-JSON values`,
      {
        pointer: bad.pointer,
      },
    );
  return value;
}
