/**
 * `chancery export-tiles DIR`: the node's log as static C2SP tlog-tiles
 * files, for any web server, CDN or object store to serve (README: "Serving
 * the log as static tiles"). With --follow it keeps the folder up to date.
 */
import { parseVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../domain/log/index.js';
import { MAX_BUNDLE_ENTRY_BYTES } from '../../domain/log/tiles-bundle.js';
import { UsageError } from '../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec } from '../command-line/command-spec.js';
import { type CommandResult, displayPath, fieldLines } from '../command-line/output.js';
import { TileFetcher } from './export-tiles-fetch.js';
import { ExportFolder } from './export-tiles-files.js';
import { type ExportPass, exportPass } from './export-tiles-pass.js';

const DEFAULT_INTERVAL_SECONDS = 5;

function intervalOf(args: CommandArgs): number {
  const text = args.string('interval') ?? String(DEFAULT_INTERVAL_SECONDS);
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds >= 0.1 && seconds <= 3600)) {
    throw new UsageError(
      `--interval ${text} is not a number of seconds between 0.1 and 3600`,
      'export-tiles',
    );
  }
  return seconds;
}

function trustOf(args: CommandArgs): string | undefined {
  const trust = args.string('trust');
  if (trust === undefined) return undefined;
  try {
    parseVerifierKey(trust, SIGNATURE_TYPE_ED25519);
  } catch (error) {
    throw new UsageError(
      `--trust ${trust} is not an Ed25519 note verifier key: ${(error as Error).message}`,
      'export-tiles',
    );
  }
  return trust;
}

function report(dir: string, pass: ExportPass, passes: number): CommandResult {
  return {
    json: { dir, passes, ...pass },
    text: [
      `exported the log to ${displayPath(dir)}`,
      ...fieldLines([
        ['tree size', String(pass.treeSize)],
        ['root', pass.rootHash],
        ['written', `${pass.written} tiles and bundles, ${pass.bytes} bytes (last pass)`],
        ...pass.unframed.map((u): [string, string] => [
          'not framed',
          `${u.bundle}: ${u.leaves.map((l) => `entry ${l.leafIndex} is ${l.bytes} bytes`).join(', ')}`,
        ]),
      ]),
      ...(pass.unframed.length === 0
        ? []
        : [
            `note: an entry bundle frames entries of at most ${MAX_BUNDLE_ENTRY_BYTES} bytes (tlog-tiles); readers ` +
              "take the entries of those bundles from the node's /v1/log/entries, checked against the level-0 tile",
          ]),
    ],
  };
}

/** Waits `ms`, or less when asked to stop. */
function pause(ms: number, stop: { requested: boolean; wake?: () => void }): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    stop.wake = () => {
      clearTimeout(timer);
      done();
    };
  });
}

async function follow(
  run: () => Promise<ExportPass>,
  seconds: number,
  json: boolean,
): Promise<[ExportPass, number]> {
  const stop: { requested: boolean; wake?: () => void } = { requested: false };
  const onSignal = () => {
    stop.requested = true;
    stop.wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let last = await run();
  let passes = 1;
  let printed = -1;
  while (!stop.requested) {
    // One line per new tree size, so a log of the follower shows progress and not idle polls.
    if (!json && last.treeSize !== printed)
      process.stdout.write(`tree size ${last.treeSize}: ${last.written} written\n`);
    printed = last.treeSize;
    await pause(seconds * 1000, stop);
    if (stop.requested) break;
    last = await run();
    passes++;
  }
  return [last, passes];
}

export const exportTilesCommand: CommandSpec = {
  name: 'export-tiles',
  summary: 'write the log as static C2SP tlog-tiles files (checkpoint, tiles, entry bundles)',
  positionals: ['DIR'],
  scope: 'client',
  options: {
    follow: { type: 'boolean', description: 'keep exporting as the log grows, until SIGINT or SIGTERM' },
    interval: {
      type: 'string',
      value: 'SECONDS',
      description: `poll interval with --follow (default ${DEFAULT_INTERVAL_SECONDS})`,
    },
    trust: {
      type: 'string',
      value: 'VKEY',
      description: "the log's verifier key to check checkpoints with (default: the key the node announces)",
    },
  },
  details: `Every tile is checked against the signed checkpoint before it is written, and the checkpoint is
written last: a server of DIR never serves a checkpoint whose tiles are missing. Full tiles are written
once, atomically (temporary file, then rename); partial tiles and the checkpoint are replaced.`,
  async run(args) {
    const dir = args.positional(0);
    const seconds = intervalOf(args);
    const fetcher = new TileFetcher(args.url);
    const verifierKey = trustOf(args) ?? (await fetcher.verifierKey());
    const folder = new ExportFolder(dir);
    const run = () => exportPass({ fetcher, folder, verifierKey });
    if (!args.flag('follow')) return report(dir, await run(), 1);
    const [last, passes] = await follow(run, seconds, args.json);
    return report(dir, last, passes);
  },
};
