import { createHash } from 'node:crypto';
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { crossCheck } from './network-spec.checks.js';
import { NetworkSpecSchema, type NetworkSpec } from './network-spec.schema.js';

export * from './network-spec.schema.js';

/** A spec is a handful of lines; anything bigger is a mistake or an attack. */
export const MAX_NETWORK_SPEC_BYTES = 256 * 1024;
/** Alias expansion budget (a "billion laughs" document expands exponentially through aliases). */
export const MAX_NETWORK_SPEC_ALIASES = 32;

export type SpecIssue = { path: string; message: string };
export type NetworkSpecResult =
  { ok: true; spec: NetworkSpec; warnings: SpecIssue[] } | { ok: false; errors: SpecIssue[] };

/** Keys whose digits are identifiers, not numbers: YAML would read `mcc: 001` as 1 and `sd: 000001` as 1. */
const DIGIT_STRING_KEYS = new Set(['mcc', 'mnc', 'sd']);

/** Parses and validates a network spec written in YAML; errors carry the path at fault. */
export function parseNetworkSpec(yamlText: string): NetworkSpecResult {
  const size = Buffer.byteLength(yamlText, 'utf8');
  if (size > MAX_NETWORK_SPEC_BYTES)
    return failure('', `the spec is ${size} bytes; the limit is ${MAX_NETWORK_SPEC_BYTES} bytes (256 KiB)`);
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => yamlIssue(e, lines)) };
  keepDigitStrings(doc, yamlText);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_NETWORK_SPEC_ALIASES });
  } catch (err) {
    return failure('', `YAML aliases expand too much: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return failure('', 'the spec is empty');
  return validateNetworkSpec(value);
}

/** Validates an already-decoded spec (JSON from the API or the database) and runs the cross-field checks. */
export function validateNetworkSpec(value: unknown): NetworkSpecResult {
  const parsed = NetworkSpecSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap(zodIssue) };
  const { errors, warnings } = crossCheck(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: parsed.data, warnings };
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

/** One line per issue: `path: message`. */
export function formatIssue(issue: SpecIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

function failure(path: string, message: string): NetworkSpecResult {
  return { ok: false, errors: [{ path, message }] };
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
  return [{ path, message: issue.message }];
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
