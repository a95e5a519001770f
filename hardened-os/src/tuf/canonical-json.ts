/**
 * OLPC canonical JSON as TUF (securesystemslib, python-tuf, tuf-js) signs it: object keys sorted, no
 * insignificant whitespace, integers only, and in strings only `\` and `"` escaped — every other character
 * is written as itself, UTF-8 encoded. Signatures cover these bytes, so one differing byte from the other
 * implementations and no client accepts our metadata.
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(encode(value, 0), 'utf8');
}

// Metadata is shallow; a deep structure is hostile input, refused before it exhausts the stack.
const MAX_DEPTH = 32;

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('canonical JSON: nested too deeply');
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return string(value);
  if (typeof value === 'number') {
    // The canonical form has no floats, exponents, NaN or infinities.
    if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON: only integers are allowed');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    // Keys sort by UTF-16 code units like tuf-js (identical to python's code-point order for the ASCII
    // keys TUF metadata uses).
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    const members = keys
      .filter((k) => record[k] !== undefined)
      .map((k) => `${string(k)}:${encode(record[k], depth + 1)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
}

const string = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
