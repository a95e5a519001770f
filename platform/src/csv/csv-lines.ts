/**
 * Line-level CSV rules shared by the bulk imports (SIM batches, officials): what a line is, how its bytes
 * decode, how it splits into fields. Pure (no node: imports beyond the globals): worker threads import it
 * through `@pakawaaz/platform/csv`.
 */

/** A file's format problem (no header, a header that is not CSV…): a 400 for the uploader. */
export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
}

/** What a line of the file is: nothing (blank), a `#` comment, or a record. */
export function lineKind(bytes: Uint8Array): 'blank' | 'comment' | 'record' {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
    return b === 0x23 ? 'comment' : 'record';
  }
  return 'blank';
}

/** The first C0 control other than TAB, or DEL: never part of a field (a NUL byte, a stray CR, an escape…). */
function firstControl(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return c;
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a line's bytes (without its LF; a CR before it is dropped), or says why the line is unreadable. */
export function decodeLine(bytes: Uint8Array): string | { reason: string } {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(0, end));
  } catch {
    return { reason: 'the line is not valid UTF-8' };
  }
  const control = firstControl(text);
  if (control !== undefined)
    return { reason: `the line contains a control character (0x${control.toString(16).padStart(2, '0')})` };
  return text;
}

/**
 * Splits one line into fields, quoting per RFC 4180: a field may be enclosed in double quotes, inside which a
 * comma is data and `""` is one quote. A record never spans lines here — no imported field may hold a line
 * break — so a quote left open fails its own line only instead of swallowing the rest of the file. Returns the
 * reason when the line is malformed (a stray quote, an unclosed quote).
 */
export function splitCsvLine(line: string): string[] | { reason: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let start = i;
    while (line[start] === ' ' || line[start] === '\t') start++;
    if (line[start] === '"') {
      let value = '';
      let j = start + 1;
      for (;;) {
        const close = line.indexOf('"', j);
        if (close < 0) return { reason: 'a quoted field is not closed on its line' };
        value += line.slice(j, close);
        if (line[close + 1] === '"') {
          value += '"';
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',')
        return {
          reason: 'stray quote: text follows a closing quote (write a quote inside a quoted field as "")',
        };
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const value = line.slice(i, comma < 0 ? line.length : comma);
      if (value.includes('"'))
        return {
          reason: 'stray quote in an unquoted field (quote the whole field, and write a quote as "")',
        };
      fields.push(value);
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** The header row of a file's first record line (a UTF-8 BOM is ignored); `fail` makes the caller's error. */
export function headerFields(
  line: Uint8Array,
  fail: (message: string) => Error = (m) => new CsvFormatError(m),
): string[] {
  const bom = line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf ? 3 : 0;
  const text = decodeLine(line.subarray(bom));
  const fields = typeof text === 'string' ? splitCsvLine(text) : text;
  if ('reason' in fields) throw fail(`The header row is not valid CSV: ${fields.reason}.`);
  return fields;
}

/** One record line of a block: its number and text, or why it cannot be read. */
export type CsvBlockLine = { line: number; fields: string[] } | { line: number; reason: string };

/**
 * The record lines of a block of whole lines (LF-separated; the last may lack its LF), numbered from
 * `firstLine`, skipping blank and comment lines and those before `fromLine` (already committed by a resumed
 * job). A line that does not decode or split is reported with its reason; it never stops the others.
 */
export function* blockRecords(
  bytes: Uint8Array,
  firstLine: number,
  fromLine: number,
): Generator<CsvBlockLine> {
  let line = firstLine;
  for (let start = 0; start < bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (line < fromLine || lineKind(raw) !== 'record') continue;
    const text = decodeLine(raw);
    const record = typeof text === 'string' ? splitCsvLine(text) : text;
    yield 'reason' in record ? { line, reason: record.reason } : { line, fields: record };
  }
}
