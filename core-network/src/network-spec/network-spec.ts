import { createHash } from 'node:crypto';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { crossCheck } from './network-spec.checks.js';
import { NetworkSpecSchema, type NetworkSpec } from './network-spec.schema.js';

export * from './network-spec.schema.js';

/** A spec is a handful of lines; anything bigger is a mistake or an attack. */
export const MAX_NETWORK_SPEC_BYTES = 256 * 1024;
/** Alias expansion budget (a "billion laughs" document expands exponentially through aliases). */
export const MAX_NETWORK_SPEC_ALIASES = 32;

/** A problem at a path; parsed from YAML it also says where (1-based line and column of the node at fault). */
export type SpecIssue = { path: string; message: string; line?: number; column?: number };
/** Every problem at once: YAML syntax, then format (schema) and logic (cross-field checks) alike. */
export type NetworkSpecResult =
  | { ok: true; spec: NetworkSpec; warnings: SpecIssue[] }
  | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };

/** Keys whose digits are identifiers, not numbers: YAML would read `mcc: 001` as 1 and `sd: 000001` as 1. */
const DIGIT_STRING_KEYS = new Set(['mcc', 'mnc', 'sd']);

/** Parses and validates a network spec written in YAML; errors carry the path at fault. */
export function parseNetworkSpec(yamlText: string): NetworkSpecResult {
  const size = Buffer.byteLength(yamlText, 'utf8');
  if (size > MAX_NETWORK_SPEC_BYTES)
    return failure('', `the spec is ${size} bytes; the limit is ${MAX_NETWORK_SPEC_BYTES} bytes (256 KiB)`);
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0)
    return { ok: false, errors: doc.errors.map((e) => yamlIssue(e, lines)), warnings: [] };
  keepDigitStrings(doc, yamlText);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_NETWORK_SPEC_ALIASES });
  } catch (err) {
    return failure('', `YAML aliases expand too much: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return failure('', 'the spec is empty');
  const result = validateNetworkSpec(value);
  const locate = (issue: SpecIssue) => locateIssue(issue, doc, lines);
  return result.ok
    ? { ...result, warnings: result.warnings.map(locate) }
    : { ok: false, errors: result.errors.map(locate), warnings: result.warnings.map(locate) };
}

/**
 * Validates an already-decoded spec (JSON from the API or the database) and runs the cross-field checks.
 * When some sections break the schema, the checks still run on the sections that passed, so the answer
 * lists every problem, not just the first kind.
 */
export function validateNetworkSpec(value: unknown): NetworkSpecResult {
  const parsed = NetworkSpecSchema.safeParse(value);
  if (parsed.success) {
    const { errors, warnings } = crossCheck(parsed.data);
    return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, spec: parsed.data, warnings };
  }
  const errors = parsed.error.issues.flatMap(zodIssue);
  const partial = validSections(value);
  const checked = partial ? crossCheck(partial.spec, partial.valid) : { errors: [], warnings: [] };
  return { ok: false, errors: [...errors, ...checked.errors], warnings: checked.warnings };
}

/**
 * SHA-256 of the spec's canonical JSON (sorted keys). It names a spec independently of how its YAML was
 * formatted or commented, and is what the rendered Open5GS files carry in their header.
 */
export function specSha256(spec: NetworkSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** `dnns[1].ipv4.subnet` style, as an operator reads it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** One line per issue: `line 9, column 8: path: message` (the position when the issue has one). */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line ? `line ${issue.line}, column ${issue.column ?? 1}: ` : '';
  return where + (issue.path ? `${issue.path}: ${issue.message}` : issue.message);
}

function failure(path: string, message: string): NetworkSpecResult {
  return { ok: false, errors: [{ path, message }], warnings: [] };
}

/** The top-level sections that pass the schema on their own, as a partial spec for the cross-field checks. */
function validSections(value: unknown): { spec: NetworkSpec; valid: Set<string> } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const spec: Record<string, unknown> = {};
  const valid = new Set<string>();
  for (const [key, schema] of Object.entries(NetworkSpecSchema.shape)) {
    const r = (schema as z.ZodType).safeParse((value as Record<string, unknown>)[key]);
    if (!r.success) continue;
    spec[key] = r.data;
    valid.add(key);
  }
  // Only the checks whose sections are all in `valid` read `spec`.
  return { spec: spec as NetworkSpec, valid };
}

/** `dnns[1].ipv4.subnet` → ['dnns', 1, 'ipv4', 'subnet']. */
export function parsePath(path: string): (string | number)[] {
  return [...path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) =>
    m[1] !== undefined ? Number(m[1]) : (m[2] as string),
  );
}

/** Adds the line and column of the deepest node of the issue's path that exists in the YAML. */
function locateIssue(issue: SpecIssue, doc: Document, lines: LineCounter): SpecIssue {
  const keys = parsePath(issue.path);
  for (let n = keys.length; n >= 0; n--) {
    let node: unknown = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    // An unknown key is pointed at itself, not at its value.
    if (issue.message === 'unknown key' && n === keys.length && n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === keys[n - 1])
        : null;
      node = pair?.key ?? node;
    }
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) continue;
    const pos = lines.linePos(range[0]);
    return { ...issue, line: pos.line, column: pos.col };
  }
  return issue;
}

function yamlIssue(err: YAMLError, lines: LineCounter): SpecIssue {
  const pos = lines.linePos(err.pos[0]);
  const where = pos.line > 0 ? ` at line ${pos.line}, column ${pos.col}` : '';
  return { path: '', message: `YAML syntax error${where}: ${err.message}` };
}

function keepDigitStrings(doc: Document, source: string): void {
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value)) return;
      if (!DIGIT_STRING_KEYS.has(String(pair.key.value)) || typeof pair.value.value !== 'number') return;
      const range = pair.value.range;
      if (range) pair.value.value = source.slice(range[0], range[1]).trim();
    },
  });
}

function zodIssue(issue: z.core.$ZodIssue): SpecIssue[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }));
  const path = formatPath(issue.path);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined'))
    return [{ path, message: `required (${issue.expected})` }];
  const key = issue.path.at(-1);
  if (issue.code === 'invalid_type' && typeof key === 'string' && DIGIT_STRING_KEYS.has(key))
    return [{ path, message: `${issue.message}; ${digitsHint(key)}` }];
  return [{ path, message: issue.message }];
}

/** Why a numeric MCC, MNC or SD is rejected, and what to write instead. */
export function digitsHint(key: string): string {
  const example = key === 'mcc' ? "mcc: '001'" : key === 'mnc' ? "mnc: '01'" : "sd: '000001'";
  return `write the digits as a quoted string, e.g. ${example}: as a number the leading zeros are lost (01 becomes 1)`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
