import { ChanceryProblemError, type Problem } from '../../../client/index.js';
import { CliError } from '../../command-line/cli-errors.js';
import type { NodeConnection } from '../../node-access/node-connection.js';

/** An unsigned GET of one of a node's JSON routes; a problem body is thrown as a ChanceryProblemError. */
export async function getJson<T>(node: NodeConnection, path: string): Promise<T> {
  return node.call(async () => {
    const res = await fetch(node.url + path, { headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      if (body !== null && typeof body === 'object' && 'code' in body)
        throw new ChanceryProblemError(body as Problem);
      throw new CliError(`${node.url}${path} answered ${res.status}`);
    }
    return body as T;
  });
}
