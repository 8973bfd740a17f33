import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { clientErrorHandler } from './client-errors.js';

/** Largest request line plus headers (Node's default, stated so the problem can name it). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A slow client must finish its headers within this time (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ...and its whole request within this one; uploads stream, so this is generous. */
export const REQUEST_TIMEOUT_MS = 120_000;

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
