/** One valid SIM row of a vendor batch. */
export type SimRow = {
  line: number;
  imsi: string;
  iccid: string | null;
  k: Buffer;
  opc: Buffer;
  msisdn: string | null;
  batch: string | null;
};

export type RowProblem = { line: number; reason: string; imsi?: string };

export type SimCsvFormat = 'pakawaaz' | 'magma';

export type ParsedSimCsv = {
  rows: SimRow[];
  problems: RowProblem[];
  totalRows: number;
  format: SimCsvFormat;
};

export class SimCsvError extends Error {
  override name = 'SimCsvError';
}

export type SimCsvOptions = {
  /** The network's PLMN: every IMSI must start with MCC‖MNC. */
  mcc: string;
  mnc: string;
  /** OPc from OP (TS 35.206), for batches that carry OP instead of OPc. */
  computeOpc: (k: Buffer, op: Buffer) => Buffer;
};

/** Column positions of a header row (`iccid` -1 when a Magma export has none). */
export type Columns = {
  imsi: number;
  iccid: number;
  k: number;
  opc?: number;
  op?: number;
  msisdn?: number;
  batch?: number;
};

/** Accepted header names (case-insensitive); Magma NMS's subscriber export uses lte_auth_key/lte_auth_opc. */
const ALIASES: Record<keyof Columns, string[]> = {
  imsi: ['imsi'],
  iccid: ['iccid'],
  k: ['ki', 'k', 'lte_auth_key'],
  opc: ['opc', 'lte_auth_opc'],
  op: ['op'],
  msisdn: ['msisdn'],
  batch: ['batch'],
};

/** Maps a header row to column positions; a header that lacks a needed column is a SimCsvError. */
export function mapHeader(header: string[]): { columns: Columns; format: SimCsvFormat } {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (key: keyof Columns) => {
    const i = names.findIndex((n) => ALIASES[key].includes(n));
    return i >= 0 ? i : undefined;
  };
  const [imsi, k, opc, op] = [find('imsi'), find('k'), find('opc'), find('op')];
  const iccid = find('iccid');
  const format = names.includes('lte_auth_key') ? 'magma' : 'pakawaaz';
  const missing = [
    imsi === undefined && 'imsi',
    k === undefined && 'ki (or k / lte_auth_key)',
    opc === undefined && op === undefined && 'opc or op',
  ];
  if (format === 'pakawaaz' && iccid === undefined) missing.push('iccid');
  const absent = missing.filter(Boolean);
  if (absent.length > 0)
    throw new SimCsvError(
      `The header row lacks: ${absent.join(', ')}. Expected columns imsi,iccid,ki,opc (or op) [,msisdn,batch].`,
    );
  if (opc !== undefined && op !== undefined)
    throw new SimCsvError('The header has both opc and op: give one of them.');
  return {
    columns: {
      imsi: imsi!,
      iccid: iccid ?? -1,
      k: k!,
      opc,
      op,
      msisdn: find('msisdn'),
      batch: find('batch'),
    },
    format,
  };
}

/** ITU-T E.118 ICCIDs end in a Luhn check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit that completes `body` (to generate test and demo ICCIDs). */
export function luhnCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(`${body}${d}`)) return String(d);
  throw new RangeError('no Luhn check digit (non-digit input?)');
}

const HEX128 = /^[0-9a-fA-F]{32}$/;
/** The first C0 control other than TAB, or DEL: never part of a SIM field (a NUL byte, a stray CR, an escape…). */
function firstControl(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return c;
  }
  return undefined;
}

function field(record: string[], index: number | undefined): string {
  return index === undefined || index < 0 ? '' : (record[index] ?? '').trim();
}

/**
 * Splits one line into fields, quoting per RFC 4180: a field may be enclosed in double quotes, inside which a
 * comma is data and `""` is one quote. A record never spans lines here — no SIM field may hold a line break —
 * so a quote left open fails its own line only instead of swallowing the rest of the file. Returns the
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

/** Validates one record; returns the row or the first reason it is rejected. */
function validate(
  record: string[],
  line: number,
  c: Columns,
  o: SimCsvOptions,
  magma: boolean,
): SimRow | RowProblem {
  const imsi = field(record, c.imsi)
    .replace(/^IMSI/i, '')
    .replace(/^"+|"+$/g, '');
  const bad = (reason: string): RowProblem => ({ line, reason, ...(/^\d{15}$/.test(imsi) ? { imsi } : {}) });
  if (!/^\d{15}$/.test(imsi)) return bad('IMSI must be 15 digits');
  if (!imsi.startsWith(o.mcc + o.mnc))
    return bad(`IMSI does not belong to this network (PLMN ${o.mcc}/${o.mnc})`);
  const iccid = magma && c.iccid < 0 ? null : field(record, c.iccid);
  if (iccid !== null) {
    if (!/^\d{18,20}$/.test(iccid)) return bad('ICCID must be 18 to 20 digits');
    if (!luhnValid(iccid)) return bad('ICCID check digit (Luhn) is wrong');
  }
  const kHex = field(record, c.k);
  if (!HEX128.test(kHex)) return bad('K must be 32 hex digits');
  const secretHex = field(record, c.opc ?? c.op);
  if (!HEX128.test(secretHex)) return bad(`${c.opc !== undefined ? 'OPc' : 'OP'} must be 32 hex digits`);
  const k = Buffer.from(kHex, 'hex');
  const opc =
    c.opc !== undefined ? Buffer.from(secretHex, 'hex') : o.computeOpc(k, Buffer.from(secretHex, 'hex'));
  const msisdn = field(record, c.msisdn) || null;
  if (msisdn !== null && !/^\+?\d{5,15}$/.test(msisdn)) return bad('MSISDN must be 5 to 15 digits');
  const batch = field(record, c.batch) || null;
  if (batch !== null && batch.length > 64) return bad('batch must be at most 64 characters');
  return { line, imsi, iccid, k, opc, msisdn: msisdn?.replace(/^\+/, '') ?? null, batch };
}

/** What a line of the file is: nothing (blank), a `#` comment, or a record. */
export function lineKind(bytes: Uint8Array): 'blank' | 'comment' | 'record' {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
    return b === 0x23 ? 'comment' : 'record';
  }
  return 'blank';
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

export type SimBlockInput = {
  /** Whole lines of the file, LF-separated (the last one may lack its LF). */
  bytes: Uint8Array;
  /** Line number of the first line in `bytes`. */
  firstLine: number;
  /** Lines before this one were already committed (a resumed job): skipped. */
  fromLine: number;
  columns: Columns;
  format: SimCsvFormat;
};

/**
 * Parses and validates a block of lines. A bad line — unreadable, a control character, a stray or unclosed
 * quote, a bad cell — is a problem with its line number and reason; it never stops the good rows.
 */
export function parseSimBlock(
  input: SimBlockInput,
  o: SimCsvOptions,
): { rows: SimRow[]; problems: RowProblem[] } {
  const rows: SimRow[] = [];
  const problems: RowProblem[] = [];
  const { bytes } = input;
  let line = input.firstLine;
  for (let start = 0; start < bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (line < input.fromLine || lineKind(raw) !== 'record') continue;
    const text = decodeLine(raw);
    const record = typeof text === 'string' ? splitCsvLine(text) : text;
    if ('reason' in record) problems.push({ line, reason: record.reason });
    else {
      const r = validate(record, line, input.columns, o, input.format === 'magma');
      if ('reason' in r) problems.push(r);
      else rows.push(r);
    }
  }
  return { rows, problems };
}

/** The header row of a file's first record line (a UTF-8 BOM is ignored). */
export function headerFields(line: Uint8Array): string[] {
  const bom = line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf ? 3 : 0;
  const text = decodeLine(line.subarray(bom));
  const fields = typeof text === 'string' ? splitCsvLine(text) : text;
  if ('reason' in fields) throw new SimCsvError(`The header row is not valid CSV: ${fields.reason}.`);
  return fields;
}

/**
 * Parses a whole SIM vendor batch held in memory (tests, tools): the same line rules, header mapping and
 * validation as the streamed import, which reads the file in blocks instead.
 */
export function parseSimCsv(text: string, o: SimCsvOptions): ParsedSimCsv {
  const bytes = Buffer.from(text, 'utf8');
  let start = 0;
  let line = 1;
  for (; start < bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    if (lineKind(raw) !== 'record') continue;
    const { columns, format } = mapHeader(headerFields(raw));
    const block = { bytes: bytes.subarray(start), firstLine: line + 1, fromLine: 0, columns, format };
    const { rows, problems } = parseSimBlock(block, o);
    return { rows, problems, totalRows: rows.length + problems.length, format };
  }
  throw new SimCsvError('The file is empty: expected a header row and at least one SIM.');
}
