/**
 * Parser of the Prometheus text exposition format 0.0.4, which every Open5GS NF serves on `/metrics`.
 * Pure: no I/O, no clock. Limits are checked before and while parsing, so a misbehaving or hostile
 * endpoint costs bounded memory and time. Histograms and summaries come out as plain samples
 * (`x_bucket{le=…}`, `x_sum`, `x_count`, `x{quantile=…}`) tagged with their family name.
 */

export type PromMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export type PromSample = {
  readonly name: string;
  /** The family the sample belongs to: `x` for `x_bucket`/`x_sum`/`x_count` of a histogram or summary `x`. */
  readonly family: string;
  readonly labels: Readonly<Record<string, string>>;
  /** May be NaN or ±Infinity: the format allows them. */
  readonly value: number;
  /** Milliseconds since the epoch when the exporter stamped the sample, else null. */
  readonly timestampMs: number | null;
};

/** What HELP/TYPE lines declared; a family with only HELP is `untyped`. */
export type PromFamilyMeta = { readonly type: PromMetricType; readonly help: string | null };

export type PromExposition = {
  readonly samples: readonly PromSample[];
  /** Families declared by HELP or TYPE lines, also those without samples (Open5GS prints empty families). */
  readonly families: ReadonlyMap<string, PromFamilyMeta>;
};

export type PromParseLimits = {
  readonly maxBytes: number;
  readonly maxLines: number;
  readonly maxLineLength: number;
  readonly maxSamples: number;
  readonly maxLabelsPerSample: number;
};

/** Generous for an NF (Open5GS exports a few hundred lines) yet small enough to never hurt the monitor. */
export const DEFAULT_PROM_PARSE_LIMITS: PromParseLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxLines: 100_000,
  maxLineLength: 16 * 1024,
  maxSamples: 50_000,
  maxLabelsPerSample: 64,
};

/** Malformed input or a limit exceeded; `line` is 1-based, 0 when the whole document is at fault. */
export class PrometheusParseError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `Prometheus text, line ${line}: ${reason}` : `Prometheus text: ${reason}`);
    this.name = 'PrometheusParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const METRIC_NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_CHAR = /[a-zA-Z0-9_]/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d{1,19}$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

type Declared = { type: PromMetricType | null; help: string | null };

type ParseState = {
  readonly limits: PromParseLimits;
  readonly declared: Map<string, Declared>;
  /** Families that already had a sample: a TYPE line for them now would come too late. */
  readonly sampled: Set<string>;
  readonly samples: PromSample[];
};

export function parsePrometheusText(text: string, limits: Partial<PromParseLimits> = {}): PromExposition {
  const l: PromParseLimits = { ...DEFAULT_PROM_PARSE_LIMITS, ...limits };
  // Length in UTF-16 units never exceeds the UTF-8 byte count, so the cheap check goes first.
  if (text.length > l.maxBytes || Buffer.byteLength(text, 'utf8') > l.maxBytes)
    throw new PrometheusParseError(0, `document is larger than ${l.maxBytes} bytes`);
  const lines = text.split('\n');
  if (lines.length > l.maxLines) throw new PrometheusParseError(0, `more than ${l.maxLines} lines`);
  const state: ParseState = { limits: l, declared: new Map(), sampled: new Set(), samples: [] };
  lines.forEach((raw, i) => parseLine(state, raw.endsWith('\r') ? raw.slice(0, -1) : raw, i + 1));
  const families = new Map<string, PromFamilyMeta>();
  for (const [name, d] of state.declared) families.set(name, { type: d.type ?? 'untyped', help: d.help });
  return { samples: state.samples, families };
}

/** The text exposition media type Open5GS (and this parser) speak. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function parseLine(state: ParseState, line: string, lineNo: number): void {
  if (line.length > state.limits.maxLineLength)
    throw new PrometheusParseError(lineNo, `line longer than ${state.limits.maxLineLength} characters`);
  const c = new Cursor(line, lineNo);
  c.skipBlanks();
  if (c.done()) return;
  if (c.peek() === '#') {
    c.advance();
    parseComment(state, c);
    return;
  }
  const sample = parseSample(state, c);
  if (state.samples.length >= state.limits.maxSamples)
    throw new PrometheusParseError(lineNo, `more than ${state.limits.maxSamples} samples`);
  state.samples.push(sample);
  state.sampled.add(sample.family);
}

function parseComment(state: ParseState, c: Cursor): void {
  c.skipBlanks();
  const keyword = c.readWhile(/[A-Z]/);
  // "# HELPER ..." or "# some words" are ordinary comments.
  if ((keyword !== 'HELP' && keyword !== 'TYPE') || (!c.done() && !c.atBlank())) return;
  if (!c.skipBlanks()) throw c.error(`${keyword} line without a metric name`);
  const name = c.readWhile(METRIC_NAME_CHAR);
  if (!METRIC_NAME.test(name)) throw c.error(`invalid metric name in ${keyword} line`);
  const entry = state.declared.get(name) ?? { type: null, help: null };
  if (keyword === 'HELP') entry.help = parseHelpText(entry, name, c);
  else entry.type = parseTypeToken(state, entry, name, c);
  state.declared.set(name, entry);
}

function parseHelpText(entry: Declared, name: string, c: Cursor): string {
  if (entry.help !== null) throw c.error(`second HELP line for ${name}`);
  if (!c.done() && !c.atBlank()) throw c.error(`invalid metric name in HELP line`);
  c.skipBlanks();
  let out = '';
  while (!c.done()) {
    const ch = c.advance();
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = c.done() ? '' : c.advance();
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else throw c.error(`invalid escape sequence "\\${next}" in HELP text (only \\\\ and \\n)`);
  }
  return out;
}

function parseTypeToken(state: ParseState, entry: Declared, name: string, c: Cursor): PromMetricType {
  if (entry.type !== null) throw c.error(`second TYPE line for ${name}`);
  if (state.sampled.has(name)) throw c.error(`TYPE line for ${name} after its samples`);
  if (!c.skipBlanks()) throw c.error(`TYPE line for ${name} without a type`);
  const token = c.readWhile(/[a-z]/);
  c.skipBlanks();
  if (!TYPES.has(token) || !c.done())
    throw c.error(
      `unknown metric type in TYPE line for ${name} (counter, gauge, histogram, summary, untyped)`,
    );
  return token as PromMetricType;
}

function parseSample(state: ParseState, c: Cursor): PromSample {
  const name = c.readWhile(METRIC_NAME_CHAR);
  if (!METRIC_NAME.test(name)) throw c.error('invalid metric name');
  let blank = c.skipBlanks();
  let labels: Record<string, string> = {};
  if (c.peek() === '{') {
    labels = parseLabels(state, c);
    blank = c.skipBlanks();
  }
  if (c.done()) throw c.error(`sample ${name} without a value`);
  if (!blank) throw c.error('expected a blank before the value');
  const value = parseValue(c.readUntilBlank(), c);
  let timestampMs: number | null = null;
  if (c.skipBlanks() && !c.done()) timestampMs = parseTimestamp(c.readUntilBlank(), c);
  c.skipBlanks();
  if (!c.done()) throw c.error('unexpected text after the timestamp');
  const family = familyOf(state, name);
  checkShape(state, name, family, labels, c);
  return { name, family, labels, value, timestampMs };
}

function parseLabels(state: ParseState, c: Cursor): Record<string, string> {
  c.advance(); // '{'
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (;;) {
    c.skipBlanks();
    if (c.peek() === '}') break;
    const name = c.readWhile(LABEL_NAME_CHAR);
    if (!LABEL_NAME.test(name)) throw c.error('invalid label name');
    if (seen.has(name)) throw c.error(`label ${name} given twice`);
    if (seen.size >= state.limits.maxLabelsPerSample)
      throw c.error(`more than ${state.limits.maxLabelsPerSample} labels on one sample`);
    seen.add(name);
    c.skipBlanks();
    c.expect('=', `expected "=" after label ${name}`);
    c.skipBlanks();
    entries.push([name, parseLabelValue(c, name)]);
    c.skipBlanks();
    if (c.peek() === ',') c.advance();
    else if (c.peek() !== '}') throw c.error(`expected "," or "}" after the value of label ${name}`);
  }
  c.advance(); // '}'
  // fromEntries defines own properties, so a label called __proto__ stays a label.
  return Object.fromEntries(entries);
}

function parseLabelValue(c: Cursor, name: string): string {
  c.expect('"', `the value of label ${name} must be in double quotes`);
  let out = '';
  for (;;) {
    if (c.done()) throw c.error(`unterminated value of label ${name}`);
    const ch = c.advance();
    if (ch === '"') return out;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = c.done() ? '' : c.advance();
    if (next === '\\' || next === '"') out += next;
    else if (next === 'n') out += '\n';
    else throw c.error(`invalid escape sequence "\\${next}" in label ${name} (only \\\\, \\" and \\n)`);
  }
}

/** Go's ParseFloat spellings that exporters emit: decimals, exponents, NaN and (+/-)Inf, any case. */
export function parsePromFloat(token: string): number | null {
  if (FLOAT.test(token)) {
    const v = Number(token);
    return Number.isFinite(v) ? v : null;
  }
  const t = token.toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return null;
}

function parseValue(token: string, c: Cursor): number {
  const v = parsePromFloat(token);
  if (v === null) throw c.error(`invalid sample value "${token.slice(0, 40)}"`);
  return v;
}

function parseTimestamp(token: string, c: Cursor): number {
  const v = TIMESTAMP.test(token) ? Number(token) : NaN;
  if (!Number.isSafeInteger(v))
    throw c.error(`invalid timestamp "${token.slice(0, 40)}" (integer milliseconds)`);
  return v;
}

function familyOf(state: ParseState, name: string): string {
  for (const suffix of ['_bucket', '_sum', '_count'] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = state.declared.get(base)?.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

/** The labels that make a histogram bucket or a summary quantile meaningful. */
function checkShape(
  state: ParseState,
  name: string,
  family: string,
  labels: Record<string, string>,
  c: Cursor,
): void {
  const type = state.declared.get(family)?.type;
  const needs =
    type === 'histogram' && name.endsWith('_bucket')
      ? 'le'
      : type === 'summary' && name === family
        ? 'quantile'
        : null;
  if (needs === null) return;
  const raw = Object.hasOwn(labels, needs) ? labels[needs] : undefined;
  if (raw === undefined || parsePromFloat(raw) === null)
    throw c.error(`${type} sample ${name} needs a numeric "${needs}" label`);
}

/** A read position in one line; errors carry the line number. */
class Cursor {
  private pos = 0;
  constructor(
    private readonly line: string,
    private readonly lineNo: number,
  ) {}

  done(): boolean {
    return this.pos >= this.line.length;
  }
  peek(): string {
    return this.line[this.pos] ?? '';
  }
  advance(): string {
    return this.line[this.pos++] ?? '';
  }
  atBlank(): boolean {
    return this.peek() === ' ' || this.peek() === '\t';
  }
  /** Skips spaces and tabs; tells whether there were any. */
  skipBlanks(): boolean {
    const start = this.pos;
    while (this.atBlank()) this.pos++;
    return this.pos > start;
  }
  readWhile(re: RegExp): string {
    const start = this.pos;
    while (!this.done() && re.test(this.peek())) this.pos++;
    return this.line.slice(start, this.pos);
  }
  readUntilBlank(): string {
    const start = this.pos;
    while (!this.done() && !this.atBlank()) this.pos++;
    return this.line.slice(start, this.pos);
  }
  expect(ch: string, message: string): void {
    if (this.peek() !== ch) throw this.error(message);
    this.pos++;
  }
  error(reason: string): PrometheusParseError {
    return new PrometheusParseError(this.lineNo, `${reason} (column ${this.pos + 1})`);
  }
}
