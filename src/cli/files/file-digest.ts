import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CliError } from '../command-line/cli-errors.js';
import { describeFsError } from './fs-errors.js';

/** Lower-case hex SHA-256 of a file, streamed: the record is hashed here and never sent anywhere. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  return hash.digest('hex');
}
