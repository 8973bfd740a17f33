import { ChanceryProblemError } from '../../client/index.js';
import { CliError } from '../command-line/cli-errors.js';
import type { OptionSpec } from '../command-line/command-spec.js';
import { loadPrivateKey } from '../files/key-files.js';
import type { NodeConnection } from './node-connection.js';

/** The flag of every command that signs: the node looks up whose key it is (connectAs). */
export const AS_OPTION: OptionSpec = {
  type: 'string',
  value: 'KEYFILE',
  required: true,
  description: 'private key file to sign with; the node says whose it is',
};

/**
 * `--as KEYFILE`: load the private key and ask the node whose it is, so a
 * department's key file needs no side file naming its identity.
 */
export async function connectAs(node: NodeConnection, keyFile: string): Promise<NodeConnection> {
  const keyPair = loadPrivateKey(keyFile);
  let owner: Awaited<ReturnType<NodeConnection['client']['keyOwner']>>;
  try {
    owner = await node.call((c) => c.keyOwner(keyPair.keyId));
  } catch (error) {
    if (error instanceof ChanceryProblemError && error.problem.code === 'KEY_NOT_FOUND') {
      throw new CliError(
        `key ${keyPair.keyId} (${keyFile}) is not registered on ${node.url}: ` +
          `the authority registers it with 'chancery identity register … --key ${keyFile}.pub'`,
      );
    }
    throw error;
  }
  if (owner.retiredAt !== null) {
    throw new CliError(
      `key ${keyPair.keyId} (${keyFile}) of ${owner.identityId} was retired at ${owner.retiredAt}: sign with its current key`,
    );
  }
  return node.withSigner({ actor: owner.identityId, keyPair });
}
