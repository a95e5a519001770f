/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the values JSON.parse yields: objects with their members
 * sorted by the UTF-16 code units of their names (§3.2.3), no whitespace, strings and numbers serialised as
 * ECMAScript's JSON.stringify does (§3.2.2.2: JCS adopts ES's Number serialisation, and JSON.stringify
 * already writes −0 as 0). A catalogue's bytes are this form, so its hash is a function of its content and a
 * handset that rebuilds it from a diff gets the same bytes the server signed.
 */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  readonly code = 'catalogue_json_invalid';
}

/** JCS refuses what I-JSON (RFC 7493) refuses: a lone surrogate is not Unicode text. */
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function str(s: string): string {
  if (!isWellFormed(s)) throw new CanonicalJsonError('a string holds a lone surrogate');
  return JSON.stringify(s);
}

/** Depth cap: our documents are four levels deep; a hostile one cannot blow the stack. */
export const MAX_JSON_DEPTH = 32;

export function canonicalJson(value: JsonValue, depth = 0): string {
  if (depth > MAX_JSON_DEPTH) throw new CanonicalJsonError('nested too deeply');
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CanonicalJsonError(`not a JSON number: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return str(value);
  if (Array.isArray(value)) return `[${value.map((v: JsonValue) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as { readonly [k: string]: JsonValue };
    // Default sort compares UTF-16 code units: exactly §3.2.3's order.
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${str(k)}:${canonicalJson(obj[k]!, depth + 1)}`).join(',')}}`;
  }
  throw new CanonicalJsonError(`not a JSON value: ${typeof value}`);
}

/** The canonical UTF-8 bytes of a value. */
export function canonicalBytes(value: JsonValue): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
