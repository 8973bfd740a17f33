/**
 * What `chancery certify-bulk` certifies: every regular file under a folder,
 * or the files a manifest lists. The order is the batch tree's order, so it
 * must not depend on the file system: a folder's files are sorted by their
 * path relative to the folder ('/'-separated, compared code unit by code
 * unit); a manifest keeps its own order.
 */

import { opendir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { CliError } from '../../command-line/cli-errors.js';
import { describeFsError } from '../../files/fs-errors.js';

export interface BulkInput {
  /** Where to read the file. */
  readonly path: string;
  /** How the receipts name it: relative to the folder, or as the manifest wrote it. */
  readonly name: string;
}

/**
 * Lists the records to certify from SOURCE: a folder (recursively, regular
 * files only; symbolic links and special files are skipped, hidden files are
 * not) or a manifest (a text file, one path per line, relative to the
 * manifest's folder; blank lines and lines starting with # are ignored).
 */
export async function listBulkInputs(
  source: string,
): Promise<{ kind: 'folder' | 'manifest'; inputs: BulkInput[] }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(source);
  } catch (error) {
    throw new CliError(`cannot read ${source}: ${describeFsError(error)}`);
  }
  if (info.isDirectory()) return { kind: 'folder', inputs: await listFolder(source) };
  if (info.isFile()) return { kind: 'manifest', inputs: await readManifest(source) };
  throw new CliError(`${source} is neither a folder nor a manifest file`);
}

async function listFolder(root: string): Promise<BulkInput[]> {
  const names: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(folder);
    } catch (error) {
      throw new CliError(`cannot read folder ${folder}: ${describeFsError(error)}`);
    }
    for await (const entry of dir) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      // Dirent types come from readdir without following links: a link is neither a file nor a folder here.
      else if (entry.isFile()) names.push(relative(root, full).split(sep).join('/'));
    }
  };
  await walk(root);
  // Code-unit order, not localeCompare: the same folder must give the same batch on every machine.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => ({ path: join(root, ...name.split('/')), name }));
}

async function readManifest(manifest: string): Promise<BulkInput[]> {
  let text: string;
  try {
    text = await readFile(manifest, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read manifest ${manifest}: ${describeFsError(error)}`);
  }
  const base = dirname(manifest);
  const inputs: BulkInput[] = [];
  for (const raw of text.split('\n')) {
    // Paths are taken as written (spaces included); only a Windows line ending is dropped.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    inputs.push({ path: isAbsolute(line) ? line : join(base, line), name: line });
  }
  return inputs;
}
