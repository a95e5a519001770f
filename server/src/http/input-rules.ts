import { platformError } from '@pakawaaz/platform';
import type { FastifyInstance } from 'fastify';

/**
 * C0 control characters have no place in the API's text: PostgreSQL refuses NUL in text and jsonb (the
 * request would fail deep inside a query), and the others hide in names and log lines. JSON bodies may carry
 * tab, line feed and carriage return (free text: reasons, descriptions); the URL (path and query) none.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BODY_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const URL_FORBIDDEN = /[\u0000-\u001f]/;
const MAX_DEPTH = 64;

/**
 * Path of the first string (value or object key) with a forbidden character, or null. Nesting deeper than
 * MAX_DEPTH is reported too (at the path where the walk stopped): what is not checked is not let through.
 */
export function findControlCharacter(
  value: unknown,
  path: string,
  forbidden: RegExp,
  depth = 0,
): string | null {
  if (typeof value === 'string') return forbidden.test(value) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  if (depth > MAX_DEPTH) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findControlCharacter(value[i], `${path}[${i}]`, forbidden, depth + 1);
      if (hit !== null) return hit;
    }
    return null;
  }
  // Parsed JSON and URLs only (the query parser's objects have a prototype of their own): a stream (the CSV
  // import) is checked by its own reader.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const here = `${path}.${key}`;
    if (forbidden.test(key)) return `${path}.${JSON.stringify(key).slice(1, -1)}`;
    const hit = findControlCharacter(child, here, forbidden, depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}

/** The header value names a coding other than identity (RFC 9110 §8.4); none is decoded here. */
export function unsupportedContentEncoding(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const codings = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  return codings.some((c) => c !== 'identity');
}

/**
 * Input rules for every route, before any handler runs: an encoded body is refused before a byte is read
 * (the server does not decompress, and storing the compressed bytes as if they were the content would lose
 * data silently), and control characters in the body, query or path parameters get a 400 naming the field.
 */
export function installInputRules(instance: FastifyInstance): void {
  instance.addHook('onRequest', (req, _reply, done) => {
    if (!unsupportedContentEncoding(req.headers['content-encoding'])) return done();
    done(
      platformError(
        'unsupported_content_encoding',
        'Content-Encoding is not supported: send the request body uncompressed (identity).',
        { header: 'content-encoding' },
      ),
    );
  });
  instance.addHook('preValidation', (req, _reply, done) => {
    const field =
      findControlCharacter(req.params, 'params', URL_FORBIDDEN) ??
      findControlCharacter(req.query, 'query', URL_FORBIDDEN) ??
      findControlCharacter(req.body, 'body', BODY_FORBIDDEN);
    if (field === null) return done();
    const tooDeep = field.split(/[.[]/).length - 1 > MAX_DEPTH;
    done(
      platformError(
        'invalid_characters',
        tooDeep
          ? `${field} is nested more than ${MAX_DEPTH} levels deep, too deep to check for control characters.`
          : `${field} contains a control character (NUL or another C0 character); only tab, line feed and carriage return are allowed, and only in the JSON body.`,
        [{ path: field, message: tooDeep ? 'too deep' : 'control character' }],
      ),
    );
  });
}
