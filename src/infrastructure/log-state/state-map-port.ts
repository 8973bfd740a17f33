import type { JsonObject } from '../../domain/shared/json.js';
import type { ProvenState } from '../../domain/state-map/index.js';

/**
 * The authenticated state map as the ordered state machine uses it
 * (src/infrastructure/state-map/state-map-store.ts implements it).
 * Version V is the map after the log's first V entries.
 */
export interface StateMapPort {
  migrate(): void;
  reset(): void;
  /** The current value of a key, after every change so far. */
  get(key: string): JsonObject | null;
  /** A change made by the entry at leafIndex, in log order; part of versions leafIndex + 1 on. */
  set(key: string, value: JsonObject, leafIndex: number): void;
  /** The log reached treeSize (versions exist even where nothing changed). */
  advanceTo(treeSize: number): void;
  currentVersion(): number;
  /** The oldest version still provable (versions below it were released). */
  oldestVersion(): number;
  rootAt(version: number): Uint8Array;
  retainVersion(version: number): void;
  proveAt(key: string, version: number): ProvenState;
  releaseBefore(version: number): void;
}
