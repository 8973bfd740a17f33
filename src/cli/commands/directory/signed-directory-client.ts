import { DirectoryClient } from '../../../client/directory-client.js';
import type { CommandArgs } from '../../command-line/command-spec.js';
import { loadPrivateKey } from '../../files/key-files.js';

/** The directory client for --url that signs its requests (RFC 9421) with the --as key. */
export function signedDirectoryClient(args: CommandArgs): DirectoryClient {
  return new DirectoryClient(args.url, loadPrivateKey(args.required('as')));
}
