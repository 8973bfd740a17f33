/** bench/fixtures/certify-floor-server.ts in a child process, for bench/certify.bench.ts. */
import { type FixtureContext, startFixtureChild } from './fixture-child.js';
import { cpuSecondsOf } from './node-child.js';

export interface CertifyFloorServer {
  readonly url: string;
  readonly pid: number;
  /** CPU time (user + system, every thread) the server has used so far, in seconds; null once it is gone. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** Starts the server trusting `publicKeyBase64` (raw Ed25519), appending to `dbFile`. */
export async function startCertifyFloorServer(
  ctx: FixtureContext,
  publicKeyBase64: string,
  dbFile: string,
): Promise<CertifyFloorServer> {
  const child = await startFixtureChild(
    ctx,
    'bench/fixtures/certify-floor-server.ts',
    [publicKeyBase64, dbFile],
    {
      name: 'certify floor server',
      startTimeoutMs: 60_000,
      // As `chancery start` runs a node: one threadpool thread for the Ed25519 verifications.
      env: { UV_THREADPOOL_SIZE: '1' },
    },
  );
  const url = /^listening (\S+)$/.exec(child.readyLine)?.[1];
  if (url === undefined)
    throw new Error(`certify floor server said "${child.readyLine}", not where it listens`);
  return { url, pid: child.pid, cpuSeconds: () => cpuSecondsOf(`/proc/${child.pid}/stat`), stop: child.stop };
}
