import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { clientErrorHandler } from './client-errors.js';

/** Largest request line plus headers (Node's default, stated so the problem can name it). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A slow client must finish its headers within this time (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ...and its whole request within this one; uploads stream, so this is generous. */
export const REQUEST_TIMEOUT_MS = 120_000;
/**
 * An answer waiting for its reader is cut off when none of it has been taken for this long
 * (send-stall-timeout.ts): as long as a client gets to send its whole request. A reader on a bad
 * network that keeps reading is never cut; one that stopped reading frees its connection, its
 * queued answers and a streamed answer's in-flight slot. An answer written in one piece (the
 * largest is the OpenAPI document, about 630 KB) must be taken at 5 KB/s or more.
 */
export const SEND_STALL_TIMEOUT_MS = 120_000;

/** Fastify server options that bound what a connection may cost before any route runs. */
export function serverLimitOptions(): Pick<FastifyServerOptions, 'requestTimeout' | 'clientErrorHandler'> & {
  http: ServerOptions;
} {
  return {
    requestTimeout: REQUEST_TIMEOUT_MS,
    clientErrorHandler,
    http: { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS },
  };
}
