import { resolve } from 'node:path';

export interface NodeConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Log origin, e.g. shanxi.gov.example/chancery; the checkpoint key name. */
  readonly origin: string;
  /** Base URL citizens reach this node at; proof URLs start with it. */
  readonly publicUrl: string;
  /** Whether publicUrl was given rather than derived from host and port. */
  readonly publicUrlExplicit: boolean;
  readonly maxSkewSeconds: number;
  readonly logLevel: string;
  readonly authorityCode: string;
  readonly authorityName: string;
}

export interface NodeConfigInput {
  dataDir?: string;
  host?: string;
  port?: number | string;
  origin?: string;
  publicUrl?: string;
  maxSkewSeconds?: number | string;
  logLevel?: string;
}

/** Flags win over environment variables, which win over defaults. Documented in the README's configuration table. */
export function resolveNodeConfig(flags: NodeConfigInput, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const host = flags.host ?? env['CHANCERY_HOST'] ?? '127.0.0.1';
  const port = toInt(flags.port ?? env['CHANCERY_PORT'] ?? 8080, 'port', 0, 65535);
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    dataDir: resolve(flags.dataDir ?? env['CHANCERY_DATA'] ?? './data'),
    host,
    port,
    origin: flags.origin ?? env['CHANCERY_ORIGIN'] ?? 'localhost/chancery',
    publicUrl: (flags.publicUrl ?? env['CHANCERY_PUBLIC_URL'] ?? `http://${displayHost}:${port}`).replace(
      /\/+$/,
      '',
    ),
    publicUrlExplicit: (flags.publicUrl ?? env['CHANCERY_PUBLIC_URL']) !== undefined,
    maxSkewSeconds: toInt(
      flags.maxSkewSeconds ?? env['CHANCERY_MAX_SKEW_SECONDS'] ?? 300,
      'max skew',
      1,
      86_400,
    ),
    logLevel: flags.logLevel ?? env['CHANCERY_LOG_LEVEL'] ?? 'info',
    authorityCode: env['CHANCERY_AUTHORITY_CODE'] ?? 'AUTHORITY',
    authorityName: env['CHANCERY_AUTHORITY_NAME'] ?? 'Root authority',
  };
}

function toInt(value: number | string, what: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`invalid ${what}: ${value} (expected an integer ${min}..${max})`);
  return n;
}
