#!/usr/bin/env node
/**
 * The `chancery` command: chooses the size of libuv's threadpool for a node,
 * then runs the CLI (dist/cli/main.js).
 *
 * A node verifies every command's Ed25519 signature on libuv's threadpool,
 * which has four threads by default whatever the machine. On two cores, four
 * verifications at once take both cores from the event loop, which has the
 * rest of every request to do (measured in docs/operations.md: one thread gave
 * about 10% more certifications/s at 10% less CPU each). libuv reads
 * UV_THREADPOOL_SIZE once, when the pool first starts, and Node's ES module
 * loader starts it (asynchronous file reads) before any module of ours runs:
 * so the choice is made here, in CommonJS, before the first import.
 *
 * Only `chancery start` runs a node. Other commands keep libuv's default:
 * `certify-bulk` reads many files at once through the same pool. A size the
 * operator set in the environment is always kept.
 */
'use strict';

const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/** libuv's own default, and the most this launcher ever chooses. */
const LIBUV_DEFAULT_THREADS = 4;

/** One thread fewer than the cores (the event loop has the last one), at least one, at most libuv's default. */
function nodeThreadpoolSize(cores) {
  return Math.max(1, Math.min(LIBUV_DEFAULT_THREADS, cores - 1));
}

/** The UV_THREADPOOL_SIZE to run `args` with, or undefined to leave the environment as it is. */
function chosenThreadpoolSize(args, env, cores) {
  if (args[0] !== 'start' || (env.UV_THREADPOOL_SIZE ?? '') !== '') return undefined;
  return String(nodeThreadpoolSize(cores));
}

module.exports = { chosenThreadpoolSize, nodeThreadpoolSize };

if (require.main === module) {
  const size = chosenThreadpoolSize(process.argv.slice(2), process.env, availableParallelism());
  if (size !== undefined) process.env.UV_THREADPOOL_SIZE = size;
  import(pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href).catch((error) => {
    process.stderr.write(`internal error: ${error?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
