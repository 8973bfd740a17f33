import type { CommandPayload } from '../../domain/crypto/envelope.js';

/**
 * Field access for payloads that already passed their command's JSON Schema: the schema guarantees
 * the type, so these only name the intent (required string, optional value).
 */
export function stringField(payload: CommandPayload, field: string): string {
  return payload[field] as string;
}

/** An optional field, as null when absent, so every command has one shape. */
export function optionalField<T>(payload: CommandPayload, field: string): T | null {
  const value = payload[field];
  return value === undefined ? null : (value as T);
}
