/**
 * A primary whose witness is a third-party C2SP witness: a program that
 * serves the witness API (POST /add-checkpoint) and nothing else. The small
 * HTTP server below stands in for it: it cosigns whatever checkpoint it is
 * sent (tlog-cosignature/v1) and answers 404 to every other path. The
 * primary must get its cosignatures and finality from it, and must not keep
 * asking it for /v1/operations (only Chancery's own mirror-witnesses serve
 * that), list it as a mirror that is not answering, or raise an alert for it.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatSignatureLine,
  parseAddCheckpointRequest,
} from '../../src/domain/federation/witness-protocol.js';
import { createCosignature, formatWitnessKey } from '../../src/domain/log/cosignature.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { OperationsStatus } from '../../src/protocol/operations-status.js';
import { eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { certifySome } from '../support/metrics-network.js';

const WITNESS_NAME = 'witness.c2sp.example';
const PROBE_MS = 50;

let witness: Server;
let witnessUrl: string;
let primary: LiveNode;
/** Every request the stand-in witness got, as "METHOD path". */
const asked: string[] = [];

/** A C2SP witness that cosigns anything: the checkpoint's text is the note up to its blank line. */
async function startThirdPartyWitness(): Promise<{ server: Server; url: string; vkey: string }> {
  const key = generateKeyPair();
  const server = createServer((request, response) => {
    asked.push(`${request.method} ${request.url}`);
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/add-checkpoint') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      const { checkpoint } = parseAddCheckpointRequest(body);
      const text = checkpoint.slice(0, checkpoint.indexOf('\n\n') + 1);
      const cosignature = createCosignature(
        text,
        WITNESS_NAME,
        key.publicKey,
        Math.floor(Date.now() / 1000),
        key.sign,
      );
      response
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end(formatSignatureLine(cosignature));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, vkey: formatWitnessKey(WITNESS_NAME, key.publicKey) };
}

beforeAll(async () => {
  const started = await startThirdPartyWitness();
  witness = started.server;
  witnessUrl = started.url;
  primary = await startLiveNode({
    env: { CHANCERY_MIRROR_PROBE_MS: String(PROBE_MS) },
    federation: { witness: [`${witnessUrl}=${started.vkey}`], witnessQuorum: 1 },
  });
  await certifySome(primary, 'TRANSPORT', 1);
  await eventually('finality from the third-party witness', async () => {
    const ready = await primary.json('/health/ready');
    return ready['finality'] === 'ok' ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  await primary?.close();
  await new Promise((done) => witness?.close(done));
});

describe('a primary with a third-party witness (witness API only)', () => {
  it('cosigns through it, asks its /v1/operations once, and neither lists it as a mirror nor alerts on it', async () => {
    // Twenty probe intervals: before the fix, one GET /v1/operations (and one 404) each.
    await new Promise((r) => setTimeout(r, 20 * PROBE_MS));
    expect(asked.filter((a) => a === 'GET /v1/operations')).toEqual(['GET /v1/operations']);
    expect(asked).toContain('POST /add-checkpoint');
    const ops = await primary.json<OperationsStatus>('/v1/operations');
    expect(ops.mirrors).toEqual([]);
    expect(ops.alerts).toEqual([]);
    expect(ops.witnesses).toEqual([expect.objectContaining({ name: WITNESS_NAME, up: true })]);
  }, 30_000);
});
