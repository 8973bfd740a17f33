/** GETs of a node's tlog-tiles resources for `chancery export-tiles`, with errors fit to print. */
import { formatTileName, type TileName } from '../../domain/log/tiles-path.js';
import { CliError, NodeUnreachableError } from '../command-line/cli-errors.js';

export function tileKey(tile: TileName): string {
  return formatTileName(tile);
}

export class TileFetcher {
  constructor(readonly url: string) {}

  private async get(path: string): Promise<Response> {
    const target = new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`);
    let response: Response;
    try {
      // identity: the node need not spend CPU compressing what is written to disk as is.
      response = await fetch(target, { headers: { 'accept-encoding': 'identity' } });
    } catch (error) {
      throw new NodeUnreachableError(this.url, String((error as Error).cause ?? error));
    }
    if (response.status !== 200) {
      const body = await response.text();
      throw new CliError(`GET ${target.pathname} from ${this.url}: ${response.status} ${body.slice(0, 300)}`);
    }
    return response;
  }

  async checkpoint(): Promise<string> {
    return (await this.get('checkpoint')).text();
  }

  async tile(tile: TileName): Promise<Uint8Array> {
    return new Uint8Array(await (await this.get(formatTileName(tile))).arrayBuffer());
  }

  /** The log's verifier key as the node announces it (GET /v1/log), when none is given to pin. */
  async verifierKey(): Promise<string> {
    const body = (await (await this.get('v1/log')).json()) as { verifierKey?: unknown };
    if (typeof body.verifierKey !== 'string') throw new CliError(`${this.url}/v1/log names no verifierKey`);
    return body.verifierKey;
  }
}
