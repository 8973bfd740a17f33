import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  /** Cores this process may use (os.availableParallelism()). */
  readonly cores: number;
  /** Logical CPUs the OS reports (may exceed `cores` under a CPU affinity mask). */
  readonly logicalCpus: number;
  readonly cpuMHz: number | null;
  readonly ramBytes: number;
  readonly node: string;
  readonly v8: string;
  readonly openssl: string;
  readonly sqlite: string | null;
  readonly os: string;
  readonly arch: string;
  /** Filesystem holding the temporary folder (where the benchmarks fsync). */
  readonly tmpFilesystem: string;
}

export function machineInfo(tmpDir: string, sqliteVersion: string | null): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpuModel(cpus[0]?.model),
    cores: os.availableParallelism(),
    logicalCpus: cpus.length,
    cpuMHz: cpus[0]?.speed ? cpus[0].speed : null,
    ramBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    sqlite: sqliteVersion,
    os: `${osName()} (${os.type()} ${os.release()})`,
    arch: os.arch(),
    tmpFilesystem: filesystemOf(tmpDir),
  };
}

export function describeMachine(m: MachineInfo): string[] {
  const gib = (m.ramBytes / 1024 ** 3).toFixed(1);
  return [
    `CPU     ${m.cpuModel}${m.cpuMHz ? ` @ ${m.cpuMHz} MHz` : ''}, ${m.cores} core${m.cores === 1 ? '' : 's'} available` +
      (m.logicalCpus !== m.cores ? ` (${m.logicalCpus} logical CPUs)` : ''),
    `RAM     ${gib} GiB`,
    `Node    ${m.node} (V8 ${m.v8}, OpenSSL ${m.openssl}${m.sqlite ? `, SQLite ${m.sqlite}` : ''})`,
    `OS      ${m.os}, ${m.arch}`,
    `Disk    ${m.tmpFilesystem}`,
  ];
}

/** Some hypervisors report a bare family name ("AMD EPYC"); /proc/cpuinfo has nothing better then. */
function cpuModel(model: string | undefined): string {
  return (model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (pretty?.[1]) return pretty[1];
  } catch {
    // Not Linux, or no os-release: the kernel name below is enough.
  }
  return os.type();
}

/** "ext4 on /dev/vda (mounted at /)" from /proc/mounts: fsync cost depends on it. */
function filesystemOf(path: string): string {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((f) => f.length >= 3 && isUnder(path, f[1]!))
      .sort((a, b) => b[1]!.length - a[1]!.length);
    const best = mounts[0];
    if (best !== undefined) return `${best[2]} on ${best[0]} (mounted at ${best[1]}), temp dir ${path}`;
  } catch {
    // Not Linux.
  }
  try {
    const s = statfsSync(path);
    return `filesystem type 0x${s.type.toString(16)}, temp dir ${path}`;
  } catch {
    return `temp dir ${path}`;
  }
}

function isUnder(path: string, mountPoint: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(mountPoint + '/');
}
