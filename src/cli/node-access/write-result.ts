import type { WriteResult } from '../../client/index.js';
import type { CommandResult } from '../command-line/output.js';

/** What a signed write prints: the node's answer with --json, else one line that notes a replay. */
export function written(result: WriteResult, line: string): CommandResult {
  return { json: result, text: [line + (result.replayed ? ' (already done: replayed)' : '')] };
}
