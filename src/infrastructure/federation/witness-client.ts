/**
 * One witness's C2SP tlog-witness endpoint, as the log calls it: an
 * add-checkpoint request over HTTP, and the answer read as the witness's own
 * cosignature (verified over the checkpoint text under its key in the trust
 * policy) or, on 409, the tree size it holds. Anything else is an error.
 */

import {
  formatAddCheckpointRequest,
  type PolicyWitness,
  parseAddCheckpointResponse,
} from '../../domain/federation/index.js';
import { type NoteSignature, verifyCosignature } from '../../domain/log/index.js';
import { verifyEd25519 } from '../crypto/ed25519-verifier.js';

const DEFAULT_WITNESS_TIMEOUT_MS = 3000;

/** What the witness answered: its cosignature, or (409) the tree size it holds. */
export type WitnessReply = { readonly cosignature: NoteSignature } | { readonly heldSize: number };

export interface WitnessClientOptions {
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class WitnessClient {
  /** The witness's submission prefix, without a trailing slash. */
  readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(
    readonly witness: PolicyWitness,
    url: string,
    private readonly options: WitnessClientOptions = {},
  ) {
    this.url = url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  /** Asks the witness to cosign `note` (whose text is `text`), proving consistency from `oldSize`. */
  async addCheckpoint(
    oldSize: number,
    proof: Uint8Array[],
    note: string,
    text: string,
  ): Promise<WitnessReply> {
    const body = formatAddCheckpointRequest({ oldSize, proof, checkpoint: note });
    const response = await this.fetch(`${this.url}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_WITNESS_TIMEOUT_MS),
    });
    const answer = await response.text();
    if (response.status === 200) return { cosignature: this.cosignatureIn(answer, text) };
    if (response.status === 409) {
      const size = /^(0|[1-9][0-9]{0,15})\n$/.exec(answer);
      if (size === null)
        throw new Error(`409 with a malformed size body ${JSON.stringify(answer.slice(0, 40))}`);
      return { heldSize: Number(size[1]) };
    }
    throw new Error(`HTTP ${response.status}: ${answer.trim().slice(0, 200)}`);
  }

  /** The witness's own cosignature in its answer, verified over the checkpoint text. */
  private cosignatureIn(answer: string, text: string): NoteSignature {
    const { key } = this.witness;
    const signature = parseAddCheckpointResponse(answer).find(
      (s) => s.keyName === key.name && s.keyId === key.keyId,
    );
    if (signature === undefined) throw new Error('the answer carries no cosignature by its key');
    verifyCosignature(text, signature, key, verifyEd25519);
    return signature;
  }
}
