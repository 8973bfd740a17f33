import { generateKeyPair, writeKeyFiles } from '../../client/index.js';
import { CliError } from '../command-line/cli-errors.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { displayPath } from '../command-line/output.js';
import { describeFsError } from '../files/fs-errors.js';

export const keygenCommand: CommandSpec = {
  name: 'keygen',
  summary: 'Make an Ed25519 key pair: FILE holds the private key (mode 0600), FILE.pub the public key.',
  scope: 'local',
  options: {
    out: { type: 'string', value: 'FILE', required: true, description: 'where to write the private key' },
  },
  details: `The private key never leaves this machine: commands are signed locally. Give FILE.pub
(or the base64 key printed here) to the authority, who registers it with
'chancery identity register … --key FILE.pub'. An existing FILE is never overwritten.`,
  async run(args) {
    const out = args.required('out');
    const keyPair = generateKeyPair();
    let files: { privateKeyFile: string; publicKeyFile: string };
    try {
      files = writeKeyFiles(out, keyPair);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') {
        throw new CliError(`${out} already exists: not overwriting a key (choose another --out)`);
      }
      throw new CliError(`cannot write ${out}: ${describeFsError(error)}`);
    }
    return {
      json: {
        keyId: keyPair.keyId,
        publicKey: keyPair.publicKeyBase64,
        privateKeyFile: files.privateKeyFile,
        publicKeyFile: files.publicKeyFile,
      },
      text: [
        `key ${keyPair.keyId}`,
        `  private key  ${displayPath(files.privateKeyFile)} (mode 0600, keep it secret)`,
        `  public key   ${displayPath(files.publicKeyFile)}`,
        `  base64       ${keyPair.publicKeyBase64}`,
      ],
    };
  },
};
