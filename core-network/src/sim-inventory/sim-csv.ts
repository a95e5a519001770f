import { blockRecords, decodeLine, headerFields, lineKind, splitCsvLine } from '@pakawaaz/platform/csv';

// The line rules are the platform's (shared with the officials' import); re-exported for this domain's callers.
export { decodeLine, lineKind, splitCsvLine };

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

function field(record: string[], index: number | undefined): string {
  return index === undefined || index < 0 ? '' : (record[index] ?? '').trim();
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
  for (const record of blockRecords(input.bytes, input.firstLine, input.fromLine)) {
    if ('reason' in record) problems.push(record);
    else {
      const r = validate(record.fields, record.line, input.columns, o, input.format === 'magma');
      if ('reason' in r) problems.push(r);
      else rows.push(r);
    }
  }
  return { rows, problems };
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
    const { columns, format } = mapHeader(simHeaderFields(raw));
    const block = { bytes: bytes.subarray(start), firstLine: line + 1, fromLine: 0, columns, format };
    const { rows, problems } = parseSimBlock(block, o);
    return { rows, problems, totalRows: rows.length + problems.length, format };
  }
  throw new SimCsvError('The file is empty: expected a header row and at least one SIM.');
}

/** The header row of a file's first record line (a UTF-8 BOM is ignored); not CSV is a SimCsvError. */
export function simHeaderFields(line: Uint8Array): string[] {
  return headerFields(line, (m) => new SimCsvError(m));
}
