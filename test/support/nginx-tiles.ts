/**
 * Debian's nginx serving a `chancery export-tiles` folder, as a non-daemon child of the test with
 * its config, pid file, logs and temp folders in a temporary directory. The config is the one the
 * README shows (README: "Serving the log as static tiles"), with the paths filled in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

/** The server block the README documents: content types and caching as the spec asks. */
export function tilesServerBlock(listen: string, root: string): string {
  return `server {
    listen ${listen};
    root ${root};
    types { }
    default_type application/octet-stream;

    location = /checkpoint {
      default_type text/plain;
      charset utf-8;
      add_header Cache-Control "public, max-age=2, must-revalidate" always;
    }
    location /tile/ {
      add_header Cache-Control "public, max-age=31536000, immutable" always;
      location /tile/entries/ {
        gzip on;
        gzip_types application/octet-stream;
        gzip_vary on;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
        location ~ \\.p/ { add_header Cache-Control "public, max-age=10" always; }
      }
      location ~ \\.p/ { add_header Cache-Control "public, max-age=10" always; }
    }
  }`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface NginxServer {
  readonly url: string;
  readonly child: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

function config(dir: string, port: number, root: string): string {
  const temp = (name: string) => `${name}_temp_path ${join(dir, 'tmp', name)};`;
  return `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  ${tilesServerBlock(`127.0.0.1:${port}`, root)}
}
`;
}

async function waitForPort(url: string, child: ChildProcess, errorLog: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${errorLog()}`);
    try {
      await fetch(`${url}/`);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen: ${errorLog()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startNginx(root: string): Promise<NginxServer> {
  if (!existsSync(NGINX))
    throw new Error(`${NGINX} is missing: this test needs Debian's nginx (apt-get install nginx)`);
  const dir = mkdtempSync(join(tmpdir(), 'chancery-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), config(dir, port, root));
  // -e: the startup error log, before the config is read, must not go to /var/log/nginx.
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errorLog = () =>
    existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  await waitForPort(url, child, errorLog);
  return {
    url,
    child,
    errorLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
