/**
 * Errors reach log lines only in this shape. A failed query's error carries the query's parameters — Drizzle
 * puts them in `params` and in its message ("Failed query: … params: …"), PostgreSQL's `detail` quotes the
 * offending values ("Key (token_hash)=(…) already exists") — and those are password hashes, token hashes and
 * sealed SIM secrets. Redacting by field name would miss the next driver's spelling, so an error is rebuilt
 * from a short list of fields known to hold no values, and the message is cut before the parameters.
 */
export type SafeError = {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  cause?: SafeError;
};

const SAFE_STRING_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'routine'] as const;
const MAX_DEPTH = 5;

/**
 * "Failed query: <sql>\nparams: <values>": everything from the parameters on is dropped. PostgreSQL's own
 * messages quote the offending value after `: "` (`invalid input syntax for type uuid: "<value>"`,
 * `value too long for type …`): they are cut there; code and routine still say what went wrong.
 */
function scrubMessage(message: string): string {
  const at = message.search(/\n\s*params:/);
  const noParams = at < 0 ? message : `${message.slice(0, at)}\nparams: [not logged]`;
  const quoted = noParams.indexOf(': "');
  return quoted < 0 ? noParams : `${noParams.slice(0, quoted)}: [value not logged]`;
}

/** An Error of any realm; not a plain object that merely looks like one (a SafeError, say). */
export function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** The loggable shape of an error and its causes; nothing the error holds beyond the listed fields. */
export function safeError(err: Error, depth = 0): SafeError {
  const type = err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name;
  const message = scrubMessage(String(err.message));
  const out: SafeError = { type, message };
  // The stack begins with "<name>: <message>", parameters included: keep only the frames after it, and no
  // stack at all when that head was changed after the error was made (its end is then unknown).
  const head = `${err.name}: ${err.message}`;
  if (typeof err.stack === 'string' && err.stack.startsWith(head))
    out.stack = `${err.name}: ${message}${err.stack.slice(head.length)}`;
  for (const field of SAFE_STRING_FIELDS) {
    const v = (err as unknown as Record<string, unknown>)[field];
    if (typeof v === 'string' || typeof v === 'number') out[field] = String(v);
  }
  const cause = (err as { cause?: unknown }).cause;
  if (depth < MAX_DEPTH && isErrorLike(cause)) out.cause = safeError(cause, depth + 1);
  return out;
}

/**
 * The log object with every error in it (at any depth a log call plausibly nests one) replaced by its safe
 * shape. Other values pass through untouched; pino's redaction of secret-named fields still applies.
 */
export function withSafeErrors(value: unknown, depth = 0): unknown {
  if (isErrorLike(value)) return safeError(value);
  if (depth >= 3 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    return value.some((v) => typeof v === 'object' && v !== null)
      ? value.map((v) => withSafeErrors(v, depth + 1))
      : value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const safe = withSafeErrors(v, depth + 1);
    if (safe !== v) changed = true;
    out[k] = safe;
  }
  return changed ? out : value;
}
