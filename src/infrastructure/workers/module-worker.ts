import { Worker } from 'node:worker_threads';

// Under tsx or vitest the calling module is TypeScript and so is the worker: a worker thread starts
// without tsx's loader, so register it there first, then import the worker's module.
const TS_BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((api) => { api.register(); return import(workerData.entry); })
  .catch((error) => setImmediate(() => { throw error; }));`;

/**
 * Starts the worker thread whose module is `name` beside the module at `base`
 * (the caller's import.meta.url): `name.js` when the code runs compiled from
 * dist, `name.ts` through tsx's loader when it runs from source. Anything the
 * worker needs at start goes in its first message, not in workerData, which
 * the TypeScript boot uses for itself.
 */
export function startModuleWorker(base: string, name: string): Worker {
  const typescript = base.endsWith('.ts');
  const entry = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, base);
  if (!typescript) return new Worker(entry);
  return new Worker(TS_BOOT, {
    eval: true,
    workerData: { entry: entry.href, tsx: import.meta.resolve('tsx/esm/api') },
  });
}
