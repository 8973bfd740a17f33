import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChanceryClient, generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/client/index.js';
import { jsonOf, type NodeProcess, runCli, startNodeProcess } from './support/cli-process.js';

/**
 * The `chancery` command as users run it: every command is a real child
 * process, against one node started with `chancery start`. The flow is the
 * README's: make a department key, register and accredit it, certify a file,
 * read it back, revoke it.
 */
describe('chancery CLI', () => {
  let tmp: string;
  let dataDir: string;
  let authorityKey: string;
  let node: NodeProcess;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-cli-'));
    dataDir = join(tmp, 'data');
    authorityKey = join(dataDir, 'authority.key');
    node = await startNodeProcess(dataDir);
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli([...args, '--url', node.url]);

  it('prints a start banner with the URL, data dir, created authority key and next steps', () => {
    const banner = node.stderr();
    expect(banner).toMatch(/^chancery \d+\.\d+\.\d+ listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(banner).toContain(dataDir);
    expect(banner).toMatch(
      /authority +AUTHORITY, key ed25519:[\w-]{22} in \S*authority\.key \(created, mode 0600/,
    );
    expect(banner).toContain(`${node.url}/docs`);
    // Started without the launcher (bin/chancery.cjs), the pool keeps whatever the environment says.
    expect(banner).toMatch(/^ {2}threadpool +(UV_THREADPOOL_SIZE=\d+|4 threads \(libuv's default\))$/m);
    expect(banner).toContain('npx chancery keygen --out dept.key');
    expect(banner).toContain(`npx chancery identity register --as ${authorityKey}`);
    expect(statSync(authorityKey).mode & 0o777).toBe(0o600);
  });

  it('walks the README flow: keygen, register, accredit, certify, show, revoke, status', async () => {
    const deptKey = join(tmp, 'transport.key');
    const keygen = jsonOf<{ keyId: string; publicKeyFile: string }>(
      await runCli(['keygen', '--out', deptKey, '--json']),
    );
    expect(keygen.keyId).toMatch(/^ed25519:[\w-]{22}$/);
    expect(statSync(deptKey).mode & 0o777).toBe(0o600);
    expect(keygen.publicKeyFile).toBe(`${deptKey}.pub`);
    expect(existsSync(`${deptKey}.pub`)).toBe(true);

    const registered = jsonOf(
      await cli(
        'identity',
        'register',
        '--as',
        authorityKey,
        '--code',
        'transport',
        '--name',
        'Department of Transport',
        '--role',
        'issuer',
        '--key',
        `${deptKey}.pub`,
        '--json',
      ),
    );
    expect(registered).toMatchObject({ type: 'RegisterIdentity', identityId: 'TRANSPORT', replayed: false });

    const accredit = await cli(
      'identity',
      'accredit',
      'TRANSPORT',
      '--as',
      authorityKey,
      '--record-type',
      'driving-licence',
    );
    expect(accredit).toMatchObject({ code: 0, stderr: '' });
    expect(accredit.stdout).toBe('accredited TRANSPORT for driving-licence\n');

    const record = join(tmp, 'licence-0042.pdf');
    writeFileSync(record, 'licence 0042, category B\n'.repeat(1000));
    const digest = createHash('sha256').update(readFileSync(record)).digest('hex');
    const certified = jsonOf<{ certificationId: string; proofUrl: string; recordDigest: string }>(
      await cli(
        'certify',
        record,
        '--as',
        deptKey,
        '--type',
        'driving-licence',
        '--valid-until',
        '2035-06-30',
        '--json',
      ),
    );
    const id = certified.certificationId;
    expect(id).toMatch(/^crt_[a-z2-7]{24}$/);
    expect(certified).toMatchObject({
      type: 'CertifyRecord',
      recordDigest: digest,
      proofUrl: `${node.url}/p/${id}`,
    });

    // --wait sealed answers once the entry is under a signed checkpoint, with the proof bundle.
    const second = join(tmp, 'licence-0043.pdf');
    writeFileSync(second, 'licence 0043, category A\n');
    const sealed = jsonOf<{
      leafIndex: number;
      checkpoint: { treeSize: number };
      proofBundle: { certificationId: string; leafIndex: number };
      certificationId: string;
    }>(
      await cli(
        'certify',
        second,
        '--as',
        deptKey,
        '--type',
        'driving-licence',
        '--wait',
        'sealed',
        '--json',
      ),
    );
    expect(sealed.leafIndex).toBeLessThan(sealed.checkpoint.treeSize);
    expect(sealed.proofBundle).toMatchObject({
      certificationId: sealed.certificationId,
      leafIndex: sealed.leafIndex,
    });
    const badWait = await cli(
      'certify',
      second,
      '--as',
      deptKey,
      '--type',
      'driving-licence',
      '--wait',
      'soon',
    );
    expect(badWait.code).toBe(2);

    const shown = jsonOf(await cli('certification', 'show', id, '--json'));
    expect(shown).toMatchObject({
      certificationId: id,
      issuerId: 'TRANSPORT',
      recordDigest: digest,
      recordType: 'driving-licence',
      validUntil: '2035-06-30T00:00:00Z',
      keyId: keygen.keyId,
      status: 'active',
    });

    const revoked = jsonOf(
      await cli('certification', 'revoke', id, '--as', deptKey, '--reason', 'issued in error', '--json'),
    );
    expect(revoked).toMatchObject({ type: 'RevokeCertification', certificationId: id, replayed: false });

    const after = jsonOf<{
      status: string;
      statusHistory: { status: string; reason: string | null; by: string }[];
    }>(await cli('certification', 'show', id, '--json'));
    expect(after.status).toBe('revoked');
    expect(after.statusHistory).toHaveLength(2);
    expect(after.statusHistory[1]).toMatchObject({
      status: 'revoked',
      reason: 'issued in error',
      by: 'TRANSPORT',
    });

    const status = jsonOf(await cli('status', '--json'));
    expect(status).toMatchObject({
      name: 'chancery',
      authorityId: 'AUTHORITY',
      ready: true,
      store: 'sqlite',
    });
    expect(status['identities']).toBeGreaterThanOrEqual(2);
    expect(status['certifications']).toBeGreaterThanOrEqual(1);
    // The log's verifier key is published by `chancery status` too, in both forms.
    expect(status['logVerifierKey']).toMatch(/^localhost\/chancery\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const text = (await cli('status')).stdout;
    expect(text).toContain(`log key         ${status['logVerifierKey']}`);
  });

  it('reports a refusal as `error CODE: detail` (or the problem as JSON) and exits 1', async () => {
    // Set up with the typed client: a registered issuer accredited for nothing.
    const authority = new ChanceryClient(node.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(authorityKey),
    });
    const archiveKey = join(tmp, 'archive.key');
    const keyPair = generateKeyPair();
    writeKeyFiles(archiveKey, keyPair);
    await authority.registerIdentity({
      identityId: 'ARCHIVE',
      name: 'Provincial archive',
      roles: ['issuer'],
      publicKeys: [keyPair.publicKeyBase64],
    });
    const record = join(tmp, 'diploma.txt');
    writeFileSync(record, 'diploma\n');

    const [human, json] = await Promise.all([
      cli('certify', record, '--as', archiveKey, '--type', 'diploma.bachelor'),
      cli('certify', record, '--as', archiveKey, '--type', 'diploma.bachelor', '--json'),
    ]);
    expect(human).toMatchObject({ code: 1, stdout: '' });
    expect(human.stderr).toBe(
      'error ACCREDITATION_MISSING: actor ARCHIVE is not accredited for record type diploma.bachelor\n',
    );
    expect(json).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(json.stderr)).toMatchObject({ status: 403, code: 'ACCREDITATION_MISSING' });
  });

  it('exits 2 with a usage hint on usage errors, and 1 with one line when the node is unreachable', async () => {
    const closedPort = await freePort();
    const [missingFlag, unknownFlag, unreachable] = await Promise.all([
      runCli(['certify', 'some.pdf', '--as', 'dept.key']),
      runCli(['status', '--verbose']),
      runCli(['status', '--url', `http://127.0.0.1:${closedPort}`]),
    ]);
    expect(missingFlag).toMatchObject({ code: 2, stdout: '' });
    expect(missingFlag.stderr).toContain(
      'error: missing --type TYPE\nusage: chancery certify FILE --as KEYFILE',
    );
    expect(unknownFlag).toMatchObject({ code: 2, stdout: '' });
    expect(unknownFlag.stderr).toContain('error: unknown option --verbose\n');
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(
      new RegExp(`^cannot reach node at http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED.*\\n$`),
    );
  });

  it('refuses to start on a port in use with one line, exit 1', async () => {
    const port = new URL(node.url).port;
    const run = await runCli(['start', '--data', join(tmp, 'second'), '--port', port]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: cannot listen on 127.0.0.1:${port}: the port is in use (is a node already running? try --port)\n`,
    );
  });

  it('reuses the keys on a second init and a second start of the same data dir', async () => {
    const nodeJson = JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as {
      authorityKeyId: string;
    };
    const init = jsonOf(await runCli(['init', '--data', dataDir, '--json']));
    expect(init).toMatchObject({
      created: false,
      authorityKeyId: nodeJson.authorityKeyId,
      authorityId: 'AUTHORITY',
    });

    const before = await new ChanceryClient(node.url).status();
    // init prints the log's verifier key: what verify --trust, mirrors and witnesses pin.
    expect(init['logVerifierKey']).toBe(before.logVerifierKey);
    const text = await runCli(['init', '--data', dataDir]);
    expect(text.stdout).toMatch(
      new RegExp(`\\n\\s+log key\\s+${before.logVerifierKey.replaceAll('+', '\\+')}\\n`),
    );
    expect(await node.stop('SIGTERM')).toBe(0);
    expect(node.stderr()).toMatch(/SIGTERM: closing the node\nstopped\n$/);

    node = await startNodeProcess(dataDir);
    expect(node.stderr()).toContain(`key ${nodeJson.authorityKeyId} in`);
    expect(node.stderr()).not.toContain('created');
    const after = await new ChanceryClient(node.url).status();
    expect(after).toMatchObject({ authorityId: 'AUTHORITY', lastPosition: before.lastPosition, ready: true });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
