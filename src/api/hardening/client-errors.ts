import type { Socket } from 'node:net';
import type { ProblemCode } from '../../application/problems/catalogue.js';
import { ProblemError } from '../../application/problems/problem.js';
import { PROBLEM_CONTENT_TYPE } from '../problems/error-handler.js';

/** Node's HTTP parser refusals, rendered as problem+json instead of Fastify's bare JSON. */
const PARSER_PROBLEMS: Record<string, { code: ProblemCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'HEADERS_TOO_LARGE',
    detail:
      'the request line and headers exceed 16384 bytes; allowed: at most 16384 bytes (put long data in a body)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: 'REQUEST_TIMEOUT',
    detail: 'the request did not arrive in full within the time allowed; send it again',
  },
};

/**
 * The server's clientError handler: a request the HTTP parser refused never
 * reaches Fastify's routes or error handler, so its problem is written to the
 * socket here, then the connection is closed (the parser state is unusable).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset or already-destroyed socket has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = PARSER_PROBLEMS[error.code ?? ''];
  const problem = new ProblemError(
    known?.code ?? 'REQUEST_MALFORMED',
    known?.detail ?? `the HTTP request cannot be parsed (${error.code ?? 'unknown parser error'})`,
  );
  const body = JSON.stringify(problem.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.code}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
