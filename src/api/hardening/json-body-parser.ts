import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { firstNonIJson, JsonDepthScanner, MAX_JSON_DEPTH } from './json-limits.js';

/**
 * The application/json parser for every route that does not bring its own.
 * It reads the body itself, instead of letting Fastify buffer it whole first,
 * so that every bound is enforced as the bytes arrive: the route's bodyLimit
 * (and the announced Content-Length against it), and the nesting depth, by a
 * scan of each chunk BEFORE anything is parsed. A body nested millions of
 * levels deep is refused at its 65th bracket, after a few bytes, not after
 * 15 MB were received and scanned. The parsed value must then be I-JSON
 * (RFC 7493): every signed payload is canonicalised (RFC 8785), and a value
 * with no canonical form must be refused as input, not crash later.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  // Same poisoning policy as the server options: a __proto__ key is refused, never dropped.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request, payload, done) => {
    readBounded(request, payload, (error, text) => {
      if (error !== null) return done(error, undefined);
      parseJson(request, text!, (parseError, value) => {
        if (parseError !== null) return done(parseError, undefined);
        const bad = firstNonIJson(value);
        if (bad === null) return done(null, value);
        done(
          new ProblemError(
            'BODY_NOT_I_JSON',
            `body${bad.pointer} is ${bad.reason}; allowed: I-JSON (RFC 7493) values, which have an RFC 8785 form`,
            { pointer: bad.pointer },
          ),
          undefined,
        );
      });
    });
  });
  // A refusal sent before the body was read must not leave the client sending megabytes into a kept-alive socket.
  // A request without a body keeps its connection: closing it would make every client shed under load reconnect.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && bodyUnread(request.raw)) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * Whether body bytes of the request may still be on their way, unread. `complete` alone is false for a
 * request without a body too, until Node's parser has finished with it, which comes after the hooks
 * that refuse it.
 */
function bodyUnread(raw: IncomingMessage): boolean {
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A body limit set for one request by a hook that runs before parsing, with the refusal that names it. */
interface RequestBodyLimit {
  readonly limit: number;
  readonly refuse: (bytes: number) => Error;
}

const requestLimits = new WeakMap<FastifyRequest, RequestBodyLimit>();

/**
 * Sets this request's body limit in place of its route's, from a preParsing
 * hook: a route whose limit depends on who the headers say sends the body
 * (the JSON bulk route takes 1 MiB only from a sender it authenticated first).
 * `refuse` gets the announced or received byte count.
 */
export function limitRequestBody(
  request: FastifyRequest,
  limit: number,
  refuse: (bytes: number) => Error,
): void {
  requestLimits.set(request, { limit, refuse });
}

function tooDeep(): ProblemError {
  return new ProblemError(
    'BODY_TOO_DEEP',
    `the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; allowed: at most ${MAX_JSON_DEPTH}`,
    { maxDepth: MAX_JSON_DEPTH },
  );
}

/** The body as UTF-8 text, or the first bound it broke (checked per chunk, reading stops there). */
function readBounded(
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (error: Error | null, text?: string) => void,
): void {
  const own = requestLimits.get(request);
  const limit =
    own?.limit ?? request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 1024 * 1024;
  const tooLarge = (bytes: number) =>
    own?.refuse(bytes) ??
    new ProblemError(
      'BODY_TOO_LARGE',
      `the body is ${bytes} bytes; allowed: at most ${limit} bytes on this route`,
    );
  const announced = Number(request.headers['content-length']);
  if (announced > limit) {
    done(tooLarge(announced));
    return;
  }
  const scanner = new JsonDepthScanner(MAX_JSON_DEPTH);
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error: Error | null, text?: string) => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(error, text);
  };
  function onData(data: Buffer | string) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    received += chunk.length;
    if (received > limit) return finish(tooLarge(received));
    if (scanner.feed(chunk) !== null) return finish(tooDeep());
    chunks.push(chunk);
  }
  function onEnd() {
    if (!Number.isNaN(announced) && received !== announced) {
      return finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    }
    finish(null, Buffer.concat(chunks, received).toString('utf8'));
  }
  function onError(error: Error & { statusCode?: number }) {
    // A client that went away mid-body: a 400 nobody will read, never a 5xx.
    if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
    finish(error);
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}
