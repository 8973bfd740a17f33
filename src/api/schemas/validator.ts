import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Ajv instances for JSON Schema 2020-12. Bodies are validated exactly as sent
 * (no coercion, no defaults: a signed payload must not be altered before its
 * signature is checked); query strings and path params are coerced from text.
 */
export function createValidators(): { body: Ajv2020; query: Ajv2020 } {
  const body = addFormats(
    // verbose: a refusal quotes the bad value it names.
    new Ajv2020({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false, verbose: true }),
  );
  const query = addFormats(
    new Ajv2020({ allErrors: false, strict: false, coerceTypes: true, useDefaults: true, verbose: true }),
  );
  return { body, query };
}
