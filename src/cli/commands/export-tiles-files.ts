/**
 * The export folder of `chancery export-tiles`: files at their tlog-tiles
 * paths, each written whole to a temporary name and renamed into place, so
 * a web server serving the folder never sends half a tile. Full tiles are
 * written once and never touched again; partial tiles and the checkpoint are
 * replaced.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatTileName, type TileName } from '../../domain/log/tiles-path.js';

export class ExportFolder {
  private made = new Set<string>();

  constructor(readonly root: string) {}

  pathOf(tile: TileName): string {
    return join(this.root, ...formatTileName(tile).split('/'));
  }

  has(tile: TileName): boolean {
    return existsSync(this.pathOf(tile));
  }

  read(tile: TileName): Promise<Buffer> {
    return readFile(this.pathOf(tile));
  }

  writeTile(tile: TileName, bytes: Uint8Array): Promise<void> {
    return this.writeAtomically(this.pathOf(tile), bytes);
  }

  writeCheckpoint(note: string): Promise<void> {
    return this.writeAtomically(join(this.root, 'checkpoint'), Buffer.from(note, 'utf8'));
  }

  async readCheckpoint(): Promise<string | null> {
    try {
      return await readFile(join(this.root, 'checkpoint'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private async writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    const folder = dirname(path);
    if (!this.made.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.made.add(folder);
    }
    // Same folder, so rename is atomic; the pid keeps two exporters from sharing a temporary file.
    const temporary = `${path}.tmp-${process.pid}`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }
}
