/** GETs of a node's tlog-tiles resources for `chancery export-tiles`, with errors fit to print. */
import { formatTileName, type TileName } from '../../domain/log/tiles-path.js';
import { CliError, NodeUnreachableError } from '../command-line/cli-errors.js';

export function tileKey(tile: TileName): string {
  return formatTileName(tile);
}

export class TileFetcher {
  constructor(readonly url: string) {}

  private async request(path: string): Promise<{ response: Response; target: URL }> {
    const target = new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`);
    try {
      // identity: the node need not spend CPU compressing what is written to disk as is.
      return { response: await fetch(target, { headers: { 'accept-encoding': 'identity' } }), target };
    } catch (error) {
      throw new NodeUnreachableError(this.url, String((error as Error).cause ?? error));
    }
  }

  private async refusal({ response, target }: { response: Response; target: URL }): Promise<CliError> {
    const body = await response.text();
    return new CliError(`GET ${target.pathname} from ${this.url}: ${response.status} ${body.slice(0, 300)}`);
  }

  private async get(path: string): Promise<Response> {
    const answer = await this.request(path);
    if (answer.response.status !== 200) throw await this.refusal(answer);
    return answer.response;
  }

  async checkpoint(): Promise<string> {
    return (await this.get('checkpoint')).text();
  }

  async tile(tile: TileName): Promise<Uint8Array> {
    return new Uint8Array(await (await this.get(formatTileName(tile))).arrayBuffer());
  }

  /**
   * An entry bundle, or null when the node answers that it holds an entry too long to frame
   * (409 BUNDLE_ENTRY_TOO_LARGE): a claim the caller checks against the entries themselves.
   */
  async bundle(tile: TileName): Promise<Uint8Array | null> {
    const answer = await this.request(formatTileName(tile));
    if (answer.response.status === 409) {
      const problem = (await answer.response
        .clone()
        .json()
        .catch(() => null)) as { code?: unknown } | null;
      if (problem?.code === 'BUNDLE_ENTRY_TOO_LARGE') return null;
    }
    if (answer.response.status !== 200) throw await this.refusal(answer);
    return new Uint8Array(await answer.response.arrayBuffer());
  }

  /** The log's verifier key as the node announces it (GET /v1/log), when none is given to pin. */
  async verifierKey(): Promise<string> {
    const body = (await (await this.get('v1/log')).json()) as { verifierKey?: unknown };
    if (typeof body.verifierKey !== 'string') throw new CliError(`${this.url}/v1/log names no verifierKey`);
    return body.verifierKey;
  }
}
