/** Largest tree the stored-hash layout holds (2^52); bigger numbers are refused by the schema. */
const MAX_TREE_SIZE = 2 ** 52;

/** A tree size in a /v1/log query. */
export const treeSizeProperty = { type: 'integer', minimum: 0, maximum: MAX_TREE_SIZE } as const;
/** A leaf index in a /v1/log query. */
export const leafIndexProperty = { type: 'integer', minimum: 0, maximum: MAX_TREE_SIZE - 1 } as const;
