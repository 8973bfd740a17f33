/**
 * The subset of RFC 9421 (HTTP Message Signatures) and RFC 9530
 * (Content-Digest) that Chancery speaks, with the RFC 8941 structured-field
 * parsing it needs. Pure: the client signs and the server verifies with the
 * same signature base, and the log keeps that base so anyone can re-verify.
 *
 * Supported: dictionary headers, inner lists of component names without
 * component parameters, and parameters that are integers, strings, tokens,
 * byte sequences or booleans. Anything else is refused, not guessed at.
 */

import { decodeBase64, encodeBase64 } from './base64.js';

export type BareItem =
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'token'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'boolean'; readonly value: boolean };

export type Parameters = readonly (readonly [string, BareItem])[];

export interface SignatureParams {
  /** Covered component names in order, e.g. "@method", "content-digest". */
  readonly components: readonly string[];
  readonly parameters: Parameters;
}

export class StructuredFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructuredFieldError';
  }
}

/** Structured fields are short; a header beyond this is refused before parsing. */
export const MAX_STRUCTURED_HEADER_LENGTH = 8192;

class Parser {
  i = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new StructuredFieldError(`${what} at offset ${this.i}`);
  }
  peek(): string | undefined {
    return this.text[this.i];
  }
  skip(chars: RegExp): void {
    while (this.i < this.text.length && chars.test(this.text[this.i]!)) this.i++;
  }
  key(): string {
    const m = /^[a-z*][a-z0-9_.*-]*/.exec(this.text.slice(this.i));
    if (m === null) this.fail('expected a key');
    this.i += m[0].length;
    return m[0];
  }
  string(): string {
    if (this.peek() !== '"') this.fail('expected a string');
    this.i++;
    let out = '';
    for (;;) {
      const c = this.text[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const next = this.text[this.i++];
        if (next !== '"' && next !== '\\') this.fail('bad escape in string');
        out += next;
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) this.fail('control or non-ASCII character in string');
      out += c;
    }
  }
  bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === ':') {
      const end = this.text.indexOf(':', this.i + 1);
      if (end < 0) this.fail('unterminated byte sequence');
      const bytes = decodeBase64(this.text.slice(this.i + 1, end));
      if (bytes === null) this.fail('byte sequence is not canonical base64');
      this.i = end + 1;
      return { kind: 'bytes', value: bytes };
    }
    if (c === '?') {
      const v = this.text[this.i + 1];
      if (v !== '0' && v !== '1') this.fail('bad boolean');
      this.i += 2;
      return { kind: 'boolean', value: v === '1' };
    }
    if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?[0-9]{1,15}/.exec(this.text.slice(this.i));
      if (m === null) this.fail('bad integer');
      this.i += m[0].length;
      if (this.peek() === '.') this.fail('decimals are not supported');
      return { kind: 'integer', value: Number(m[0]) };
    }
    const m = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/.exec(this.text.slice(this.i));
    if (m === null) this.fail('expected an item');
    this.i += m[0].length;
    return { kind: 'token', value: m[0] };
  }
  parameters(): [string, BareItem][] {
    const out: [string, BareItem][] = [];
    while (this.peek() === ';') {
      this.i++;
      this.skip(/ /);
      const key = this.key();
      let value: BareItem = { kind: 'boolean', value: true };
      if (this.peek() === '=') {
        this.i++;
        value = this.bareItem();
      }
      // RFC 8941: a repeated parameter overwrites; a signature with two `created` is ambiguous, so refuse.
      if (out.some(([k]) => k === key)) this.fail(`parameter ${key} repeated`);
      out.push([key, value]);
    }
    return out;
  }
  /** dictionary member value: an inner list or an item, each with parameters. */
  memberValue(): { list: string[] | null; item: BareItem | null; parameters: [string, BareItem][] } {
    if (this.peek() === '(') {
      this.i++;
      const list: string[] = [];
      for (;;) {
        this.skip(/ /);
        if (this.peek() === ')') {
          this.i++;
          break;
        }
        list.push(this.string());
        // Component parameters (;sf, ;key, ;req, ;bs) change how a value is derived; we derive none of them.
        if (this.peek() === ';') this.fail('component parameters are not supported');
        const next = this.peek();
        if (next !== ' ' && next !== ')') this.fail('expected a space or ) in the inner list');
      }
      return { list, item: null, parameters: this.parameters() };
    }
    const item = this.bareItem();
    return { list: null, item, parameters: this.parameters() };
  }
}

interface DictionaryMember {
  readonly list: string[] | null;
  readonly item: BareItem | null;
  readonly parameters: Parameters;
}

/** Parses an RFC 8941 dictionary (Signature-Input, Signature, Content-Digest). Throws StructuredFieldError. */
export function parseDictionary(text: string): Map<string, DictionaryMember> {
  if (text.length > MAX_STRUCTURED_HEADER_LENGTH) throw new StructuredFieldError('header is too long');
  const p = new Parser(text.trim());
  const out = new Map<string, DictionaryMember>();
  while (p.i < p.text.length) {
    const key = p.key();
    let member: DictionaryMember = { list: null, item: { kind: 'boolean', value: true }, parameters: [] };
    if (p.peek() === '=') {
      p.i++;
      member = p.memberValue();
    } else {
      member = { ...member, parameters: p.parameters() };
    }
    if (out.has(key)) throw new StructuredFieldError(`dictionary key ${key} repeated`);
    out.set(key, member);
    p.skip(/[ \t]/);
    if (p.i >= p.text.length) break;
    if (p.peek() !== ',') p.fail('expected ,');
    p.i++;
    p.skip(/[ \t]/);
    if (p.i >= p.text.length) p.fail('trailing comma');
  }
  return out;
}

function serializeString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new StructuredFieldError('strings must be printable ASCII');
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function serializeBareItem(item: BareItem): string {
  switch (item.kind) {
    case 'integer':
      return String(item.value);
    case 'string':
      return serializeString(item.value);
    case 'token':
      return item.value;
    case 'bytes':
      return `:${encodeBase64(item.value)}:`;
    case 'boolean':
      return item.value ? '?1' : '?0';
  }
}

function serializeParameters(parameters: Parameters): string {
  return parameters
    .map(([key, value]) =>
      value.kind === 'boolean' && value.value ? `;${key}` : `;${key}=${serializeBareItem(value)}`,
    )
    .join('');
}

/** The @signature-params value: `("@method" "@path");created=…;keyid="…"` (RFC 9421 §2.3). */
export function serializeSignatureParams(params: SignatureParams): string {
  return `(${params.components.map(serializeString).join(' ')})${serializeParameters(params.parameters)}`;
}

/** The signature base (RFC 9421 §2.5): one `"name": value` line per component, then @signature-params. */
export function signatureBase(
  values: readonly (readonly [string, string])[],
  params: SignatureParams,
): string {
  const lines = values.map(([name, value]) => {
    // A newline in a value would let a signer smuggle an extra line into the base.
    if (/[\r\n]/.test(value)) throw new StructuredFieldError(`component ${name} contains a line break`);
    return `${serializeString(name)}: ${value}`;
  });
  lines.push(`"@signature-params": ${serializeSignatureParams(params)}`);
  return lines.join('\n');
}

/** Reads one labelled signature's parameters from Signature-Input. */
export function parseSignatureInput(header: string): Map<string, SignatureParams> {
  const out = new Map<string, SignatureParams>();
  for (const [label, member] of parseDictionary(header)) {
    if (member.list === null) throw new StructuredFieldError(`Signature-Input ${label} is not an inner list`);
    if (new Set(member.list).size !== member.list.length)
      throw new StructuredFieldError(`Signature-Input ${label} covers a component twice`);
    out.set(label, { components: member.list, parameters: member.parameters });
  }
  return out;
}

/** Reads the labelled signature values (byte sequences) from Signature. */
export function parseSignature(header: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [label, member] of parseDictionary(header)) {
    if (member.item?.kind !== 'bytes')
      throw new StructuredFieldError(`Signature ${label} is not a byte sequence`);
    out.set(label, member.item.value);
  }
  return out;
}

export function parameter(params: SignatureParams, key: string): BareItem | undefined {
  return params.parameters.find(([k]) => k === key)?.[1];
}

/** `sha-256=:…:` (RFC 9530 §2). */
export function contentDigestHeader(sha256: Uint8Array): string {
  return `sha-256=:${encodeBase64(sha256)}:`;
}

/** The sha-256 value of a Content-Digest header, or null when it has none. Throws StructuredFieldError. */
export function contentDigestSha256(header: string): Uint8Array | null {
  const member = parseDictionary(header).get('sha-256');
  if (member === undefined) return null;
  if (member.item?.kind !== 'bytes' || member.item.value.length !== 32)
    throw new StructuredFieldError('sha-256 must be a byte sequence of 32 bytes');
  return member.item.value;
}

/** Values of the derived components Chancery signs (RFC 9421 §2.2). */
export function derivedComponent(name: string, request: { method: string; url: string }): string | null {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  switch (name) {
    case '@method':
      return request.method.toUpperCase();
    case '@path':
      return path === '' ? '/' : path;
    case '@query':
      // An absent query is "?" (RFC 9421 §2.2.7), so a signer cannot have a query added later.
      return q < 0 ? '?' : request.url.slice(q);
    default:
      return null;
  }
}
