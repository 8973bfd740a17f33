/**
 * The deployment files, checked without Docker. `docker compose config` is
 * the real validation and should run wherever Compose exists; this test keeps
 * the invariants the README promises true everywhere else: a 3-node insecure
 * EventStoreDB cluster with health checks, at least two Chancery nodes on it
 * sharing one log key and one origin; the `postgres` profile's primary with
 * a synchronous streaming replica and Chancery nodes on the primary; every
 * reference declared, and a multi-stage, non-root image with a health check.
 *
 * docker-compose.yml is written in a small YAML subset (block mappings and
 * lists, flow lists, quoted or plain scalars, `{}`) that parseComposeSubset
 * reads; anything outside it (anchors, block scalars) fails the test, so the
 * file stays checkable.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveNodeConfig } from '../../../src/node/node-config.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

type Yaml = string | Yaml[] | { [key: string]: Yaml };
type Mapping = { [key: string]: Yaml };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/** Parses the YAML subset described above; throws, naming the line, on anything else. */
function parseComposeSubset(source: string): Mapping {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    if (/\t/.test(raw.slice(0, raw.length - raw.trimStart().length)))
      throw new Error(`line ${index + 1}: tab`);
    lines.push({ indent: raw.length - raw.trimStart().length, text: text.trim(), number: index + 1 });
  });
  let at = 0;

  function block(indent: number): Yaml {
    const first = lines[at];
    if (first === undefined || first.indent !== indent) throw new Error(`line ${first?.number}: bad indent`);
    return first.text.startsWith('- ') ? sequence(indent) : mapping(indent);
  }

  function mapping(indent: number): Mapping {
    const out: Mapping = {};
    while (at < lines.length && lines[at]!.indent === indent && !lines[at]!.text.startsWith('- ')) {
      const line = lines[at]!;
      const match = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(line.text);
      if (match === null) throw new Error(`line ${line.number}: not a "key: value" line: ${line.text}`);
      const key = match[1]!;
      if (key in out) throw new Error(`line ${line.number}: duplicate key ${key}`);
      at++;
      if (match[2] !== undefined) out[key] = scalar(match[2], line.number);
      else if (at < lines.length && lines[at]!.indent > indent) out[key] = block(lines[at]!.indent);
      else throw new Error(`line ${line.number}: ${key} has no value`);
    }
    if (at < lines.length && lines[at]!.indent > indent)
      throw new Error(`line ${lines[at]!.number}: bad indent`);
    return out;
  }

  function sequence(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('- ')) {
      const line = lines[at]!;
      const item = line.text.slice(2);
      at++;
      const pair = /^([A-Za-z0-9_.-]+): (.+)$/.exec(item);
      out.push(pair === null ? scalar(item, line.number) : { [pair[1]!]: scalar(pair[2]!, line.number) });
    }
    return out;
  }

  const document = block(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]!.number}: unexpected`);
  if (typeof document !== 'object' || Array.isArray(document))
    throw new Error('the document is not a mapping');
  return document;
}

function scalar(text: string, line: number): Yaml {
  if (text === '{}') return {};
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${line}: unterminated flow list`);
    // A flow list of double-quoted strings is JSON.
    return JSON.parse(text) as string[];
  }
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (/^[&*|>!{'%@`]/.test(text)) throw new Error(`line ${line}: outside the subset: ${text}`);
  return text;
}

function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') quoted = !quoted;
    if (c === '#' && !quoted && (i === 0 || line[i - 1] === ' ')) return line.slice(0, i);
  }
  return line;
}

const asMap = (value: Yaml | undefined, what: string): Mapping => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what} is not a mapping`);
  return value;
};
const asList = (value: Yaml | undefined, what: string): Yaml[] => {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
};
const asText = (value: Yaml | undefined, what: string): string => {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
};

describe('docker-compose.yml', () => {
  const compose = parseComposeSubset(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
  const services = asMap(compose['services'], 'services');
  const esdb = Object.keys(services).filter((name) =>
    asText(asMap(services[name], name)['image'] ?? '', 'image').startsWith('eventstore/'),
  );
  const chancery = Object.keys(services).filter((name) => /^chancery\d+$/.test(name));
  const env = (name: string) =>
    asMap(asMap(services[name], name)['environment'], `${name}.environment`) as Record<string, string>;
  const networkIp = (name: string) =>
    asText(
      asMap(asMap(asMap(services[name], name)['networks'], 'networks')['esdb'], 'esdb')['ipv4_address'],
      'ip',
    );

  it('runs a 3-node EventStoreDB 24.10 cluster in insecure mode, each node with a health check', () => {
    expect(esdb).toHaveLength(3);
    const ips = esdb.map(networkIp);
    expect(new Set(ips).size).toBe(3);
    const subnet = asText(
      asMap(
        asList(
          asMap(asMap(asMap(compose['networks'], 'networks')['esdb'], 'esdb')['ipam'], 'ipam')['config'],
          'config',
        )[0],
        'c',
      )['subnet'],
      'subnet',
    );
    expect(subnet).toBe('172.30.240.0/24');
    for (const [i, name] of esdb.entries()) {
      const service = asMap(services[name], name);
      expect(service['image']).toBe('eventstore/eventstore:24.10');
      expect(env(name)).toMatchObject({
        EVENTSTORE_CLUSTER_SIZE: '3',
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_DISCOVER_VIA_DNS: 'false',
        EVENTSTORE_NODE_IP: ips[i],
        EVENTSTORE_REPLICATION_IP: ips[i],
      });
      expect(ips[i]!.startsWith('172.30.240.')).toBe(true);
      // The gossip seed of each node is the other two.
      const seeds = env(name)['EVENTSTORE_GOSSIP_SEED']!.split(',').sort();
      expect(seeds).toEqual(
        ips
          .filter((_, j) => j !== i)
          .map((ip) => `${ip}:2113`)
          .sort(),
      );
      const check = asMap(service['healthcheck'], `${name}.healthcheck`);
      expect(asList(check['test'], 'test')[0]).toBe('CMD-SHELL');
      expect(String(asList(check['test'], 'test')[1])).toContain('http://localhost:2113/health/live');
    }
  });

  it('runs at least two Chancery nodes on the cluster, with one log key, one origin and health checks', () => {
    expect(chancery.length).toBeGreaterThanOrEqual(2);
    const ips = esdb.map(networkIp);
    const ports = new Set<string>();
    const dataVolumes = new Set<string>();
    for (const name of chancery) {
      const service = asMap(services[name], name);
      expect(service['build']).toBe('.');
      const vars = env(name);
      expect(vars).toMatchObject({
        CHANCERY_STORE: 'eventstoredb',
        CHANCERY_LOG_KEY_FILE: '/keys/log.key',
        CHANCERY_ORIGIN: env(chancery[0]!)['CHANCERY_ORIGIN'],
      });
      expect(vars['CHANCERY_ESDB_URL']).toBe(`esdb://${ips.map((ip) => `${ip}:2113`).join(',')}?tls=false`);
      // The node reads these variables as the README documents them.
      const config = resolveNodeConfig({}, vars);
      expect(config.store).toEqual({ kind: 'eventstoredb', url: vars['CHANCERY_ESDB_URL'] });
      expect(config.logKeyFile).toBe('/keys/log.key');

      const volumes = asList(service['volumes'], 'volumes').map((v) => asText(v, 'volume'));
      expect(volumes).toContain('log-key:/keys:ro');
      const data = volumes.find((v) => v.endsWith(':/data'));
      expect(data).toBeDefined();
      dataVolumes.add(data!);
      for (const port of asList(service['ports'], 'ports')) ports.add(asText(port, 'port').split(':')[0]!);
      const test = asList(asMap(service['healthcheck'], 'healthcheck')['test'], 'test').join(' ');
      expect(test).toContain('/health/ready');
      const dependsOn = asMap(service['depends_on'], 'depends_on');
      expect(asMap(dependsOn['log-key'], 'log-key')['condition']).toBe('service_completed_successfully');
    }
    expect(ports.size).toBe(chancery.length);
    expect(dataVolumes.size).toBe(chancery.length);
    // The first node waits for the whole cluster; the others wait for the first, which founds the log.
    const first = asMap(asMap(services[chancery[0]!], 'first')['depends_on'], 'depends_on');
    for (const name of esdb) expect(asMap(first[name], name)['condition']).toBe('service_healthy');
    for (const name of chancery.slice(1)) {
      const dependsOn = asMap(asMap(services[name], name)['depends_on'], 'depends_on');
      expect(asMap(dependsOn[chancery[0]!], 'first')['condition']).toBe('service_healthy');
    }
  });

  describe('profile postgres', () => {
    const inProfile = (name: string) =>
      asList(asMap(services[name], name)['profiles'] ?? [], 'profiles').includes('postgres');
    const postgres = Object.keys(services).filter(
      (name) =>
        inProfile(name) &&
        asText(asMap(services[name], name)['image'] ?? '', 'image').startsWith('postgres:'),
    );
    const nodes = Object.keys(services).filter((name) => /^chancery-pg\d+$/.test(name));
    const service = (name: string) => asMap(services[name], name);
    const texts = (value: Yaml | undefined, what: string) => asList(value, what).map((v) => asText(v, what));

    it('runs a PostgreSQL 15 primary and one streaming replica, only under the profile, with health checks', () => {
      expect(postgres.sort()).toEqual(['pg-primary', 'pg-replica']);
      for (const name of postgres) {
        expect(service(name)['image']).toBe('postgres:15');
        expect(texts(asMap(service(name)['healthcheck'], 'healthcheck')['test'], 'test').join(' ')).toContain(
          'pg_isready',
        );
      }
      // Nothing of the profile starts with a plain `docker compose up`.
      for (const name of [...postgres, ...nodes]) expect(inProfile(name), name).toBe(true);
    });

    it('makes the replica synchronous: the primary waits for it by the name it streams under', () => {
      const command = texts(service('pg-primary')['command'], 'command');
      const settings = command.filter((_, i) => command[i - 1] === '-c');
      expect(settings).toContain('wal_level=replica');
      expect(settings).toContain('synchronous_commit=on');
      const standbys = settings.find((s) => s.startsWith('synchronous_standby_names='));
      expect(standbys).toBe('synchronous_standby_names=FIRST 1 (pg_replica)');

      const entrypoint = texts(service('pg-replica')['entrypoint'], 'entrypoint').join(' ');
      expect(entrypoint).toContain('pg_basebackup --host=pg-primary --username=replicator');
      expect(entrypoint).toContain('--write-recovery-conf');
      expect(entrypoint).toContain('exec docker-entrypoint.sh postgres -c cluster_name=pg_replica');
      // $ would be interpolated by Compose: the one-liner must not need it.
      expect(entrypoint).not.toContain('$');
      expect(
        asMap(asMap(service('pg-replica')['depends_on'], 'depends_on')['pg-primary'], 'p')['condition'],
      ).toBe('service_healthy');
      expect(asMap(service('pg-replica')['environment'], 'environment')['PGPASSWORD']).toBe(
        asMap(service('pg-primary')['environment'], 'environment')['REPLICATION_PASSWORD'],
      );
    });

    it('lets the replica connect for replication, through the init script it mounts', () => {
      const mount = texts(service('pg-primary')['volumes'], 'volumes').find((v) =>
        v.includes('/docker-entrypoint-initdb.d/'),
      );
      expect(mount).toBeDefined();
      const script = join(ROOT, mount!.split(':')[0]!);
      expect(existsSync(script)).toBe(true);
      expect(statSync(script).mode & 0o111).not.toBe(0);
      const text = readFileSync(script, 'utf8');
      expect(text).toContain('CREATE ROLE replicator WITH REPLICATION LOGIN');
      expect(text).toContain('host replication replicator all scram-sha-256');
    });

    it('runs at least two Chancery nodes on the primary, with one log key, one origin and health checks', () => {
      expect(nodes.length).toBeGreaterThanOrEqual(2);
      const ports = new Set<string>();
      const dataVolumes = new Set<string>();
      for (const name of nodes) {
        const vars = asMap(service(name)['environment'], `${name}.environment`) as Record<string, string>;
        expect(vars).toMatchObject({
          CHANCERY_STORE: 'postgres',
          CHANCERY_LOG_KEY_FILE: '/keys/log.key',
          CHANCERY_ORIGIN: (asMap(service(nodes[0]!)['environment'], 'env') as Record<string, string>)[
            'CHANCERY_ORIGIN'
          ],
        });
        expect(new URL(vars['CHANCERY_PG_URL']!).host).toBe('pg-primary:5432');
        // The node reads these variables as the README documents them.
        expect(resolveNodeConfig({}, vars).store).toEqual({ kind: 'postgres', url: vars['CHANCERY_PG_URL'] });
        const volumes = texts(service(name)['volumes'], 'volumes');
        expect(volumes).toContain('log-key:/keys:ro');
        dataVolumes.add(volumes.find((v) => v.endsWith(':/data'))!);
        for (const port of texts(service(name)['ports'], 'ports')) ports.add(port.split(':')[0]!);
        expect(texts(asMap(service(name)['healthcheck'], 'healthcheck')['test'], 'test').join(' ')).toContain(
          '/health/ready',
        );
      }
      expect(ports.size).toBe(nodes.length);
      expect(dataVolumes.size).toBe(nodes.length);
      // The first node waits for both servers (commits wait for the synchronous replica); the others for it.
      const first = asMap(service(nodes[0]!)['depends_on'], 'depends_on');
      for (const name of postgres) expect(asMap(first[name], name)['condition']).toBe('service_healthy');
      for (const name of nodes.slice(1)) {
        const dependsOn = asMap(service(name)['depends_on'], 'depends_on');
        expect(asMap(dependsOn[nodes[0]!], 'first')['condition']).toBe('service_healthy');
      }
    });
  });

  it('declares every volume, network and dependency it uses', () => {
    const volumes = Object.keys(asMap(compose['volumes'], 'volumes'));
    const networks = Object.keys(asMap(compose['networks'], 'networks'));
    for (const [name, raw] of Object.entries(services)) {
      const service = asMap(raw, name);
      for (const volume of asList(service['volumes'] ?? [], 'volumes')) {
        const source = asText(volume, 'volume').split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(volumes, `${name} uses ${source}`).toContain(source);
      }
      for (const network of Object.keys(asMap(service['networks'] ?? {}, 'networks'))) {
        expect(networks, `${name} uses ${network}`).toContain(network);
      }
      for (const dependency of Object.keys(asMap(service['depends_on'] ?? {}, 'depends_on'))) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
      }
    }
  });

  it('keeps to the subset the parser reads', () => {
    expect(() => parseComposeSubset('a:\n  b: &anchor x\n')).toThrow('outside the subset');
    expect(() => parseComposeSubset('a: |\n  text\n')).toThrow('outside the subset');
    expect(() => parseComposeSubset('a: 1\na: 2\n')).toThrow('duplicate key a');
    expect(parseComposeSubset('a:\n  - "x"\n  - y: "z"\nb: {} # comment\nc: ["p", "q#r"]\n')).toEqual({
      a: ['x', { y: 'z' }],
      b: {},
      c: ['p', 'q#r'],
    });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = instructions.reduce<string[][]>((all, line) => {
    if (line.startsWith('FROM ')) all.push([]);
    all.at(-1)?.push(line);
    return all;
  }, []);

  it('is multi-stage, and the image runs as a non-root user with a health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    const user = runtime.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.some((line) => line.startsWith('HEALTHCHECK ') && line.includes('/health/'))).toBe(true);
    expect(runtime).toContain('EXPOSE 8080');
    // The runtime stage copies build output, it does not compile.
    expect(runtime.some((line) => line.startsWith('COPY --from=build /app/dist'))).toBe(true);
    expect(runtime.some((line) => /npm (ci|install|run build)/.test(line))).toBe(false);
  });

  it('keeps keys and local data out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['*.key', 'data', 'node_modules', '*.db']) expect(ignored).toContain(pattern);
  });
});
