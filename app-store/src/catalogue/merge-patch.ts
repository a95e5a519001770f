import type { JsonValue } from './canonical-json.js';

/**
 * RFC 7396 JSON Merge Patch: the format of a catalogue diff (as F-Droid's index-v2 diffs). Objects merge
 * member by member, null deletes a member, anything else (arrays included) replaces. A catalogue never holds
 * null, so every target is reachable from every source by a merge patch (RFC 7396 §5's caveat does not bite).
 */

type JsonObject = { readonly [k: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own member, even one named "__proto__" (plain assignment would change the prototype instead). */
function put(o: Record<string, JsonValue>, k: string, v: JsonValue): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const has = (o: JsonObject, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** RFC 7396 §2 MergePatch(Target, Patch), without modifying either. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: Record<string, JsonValue> = {};
  if (isObject(target)) for (const k of Object.keys(target)) put(out, k, target[k]!);
  for (const k of Object.keys(patch)) {
    const v = patch[k]!;
    if (v === null) delete out[k];
    else put(out, k, applyMergePatch(has(out, k) ? out[k] : undefined, v));
  }
  return out;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v: JsonValue, i) => deepEqual(v, (b as readonly JsonValue[])[i]!));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && deepEqual(a[k]!, b[k]!));
}

/**
 * A merge patch that turns source into target: removed members become null, changed objects recurse, any
 * other change is the new value. Undefined when nothing changed. A null inside target cannot be expressed
 * (it would read as "delete"), so it is refused.
 */
export function createMergePatch(source: JsonValue, target: JsonValue): JsonValue | undefined {
  if (deepEqual(source, target)) return undefined;
  if (!isObject(source) || !isObject(target)) {
    if (containsNull(target)) throw new TypeError('a merge patch cannot set a null value');
    return target;
  }
  const patch: Record<string, JsonValue> = {};
  for (const k of Object.keys(source)) if (!has(target, k)) put(patch, k, null);
  for (const k of Object.keys(target)) {
    if (!has(source, k)) {
      put(patch, k, checkNoNull(target[k]!));
      continue;
    }
    const sub = createMergePatch(source[k]!, target[k]!);
    if (sub !== undefined) put(patch, k, sub);
  }
  return patch;
}

function containsNull(v: JsonValue): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some((x: JsonValue) => containsNull(x));
  return isObject(v) && Object.values(v).some(containsNull);
}

function checkNoNull(v: JsonValue): JsonValue {
  if (containsNull(v)) throw new TypeError('a merge patch cannot set a null value');
  return v;
}
