import { ChanceryClient, type Signer } from '../../client/index.js';
import { CliError, NodeUnreachableError } from '../command-line/cli-errors.js';

/**
 * The client for one node URL. Every call goes through `call`, which turns a
 * transport failure into one clear NodeUnreachableError and a body that is not
 * JSON into a hint that the URL is not a Chancery node.
 */
export class NodeConnection {
  readonly client: ChanceryClient;

  constructor(
    readonly url: string,
    /** Who signs this connection's commands: certify-bulk derives the batch id (its receipts' ids) from the actor. */
    readonly signer?: Signer,
  ) {
    this.client = new ChanceryClient(url, signer);
  }

  withSigner(signer: Signer): NodeConnection {
    return new NodeConnection(this.url, signer);
  }

  async call<T>(request: (client: ChanceryClient) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await request(this.client);
    } catch (error) {
      const reason = transportFailure(error);
      if (reason !== null) throw new NodeUnreachableError(this.url, reason);
      throw error;
    }
    if (result === null || typeof result !== 'object') {
      throw new CliError(`${this.url} answered without a JSON body: is it a Chancery node?`);
    }
    return result;
  }
}

/** fetch() rejects with TypeError('fetch failed') and the socket error as its cause. */
function transportFailure(error: unknown): string | null {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return null;
  return describeCause(error.cause) ?? 'fetch failed';
}

function describeCause(cause: unknown): string | null {
  if (cause === null || typeof cause !== 'object') return null;
  // Happy-eyeballs (localhost → ::1 and 127.0.0.1) fails with an AggregateError whose message is empty.
  if (cause instanceof AggregateError && cause.message === '') {
    const first = cause.errors.map(describeCause).find((m) => m !== null);
    if (first !== undefined && first !== null) return first;
  }
  const { message, code } = cause as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (typeof code === 'string') return code;
  return null;
}
