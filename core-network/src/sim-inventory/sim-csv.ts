import { parse } from 'csv-parse/sync';

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

export type ParsedSimCsv = {
  rows: SimRow[];
  problems: RowProblem[];
  totalRows: number;
  format: 'pakawaaz' | 'magma';
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
  maxRows?: number;
};

type Columns = {
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

function mapHeader(header: string[]): { columns: Columns; format: ParsedSimCsv['format'] } {
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

/**
 * Parses a SIM vendor batch (CSV with a header row). Bad rows are reported with their line number and
 * reason and never stop the good ones; a bad header or a malformed file is a SimCsvError.
 */
export function parseSimCsv(text: string, o: SimCsvOptions): ParsedSimCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: 4096,
      comment: '#',
    }) as never;
  } catch (err) {
    // csv-parse messages quote the field read so far, which may be part of a K or OPc: keep only code and line.
    const e = err as { code?: unknown; lines?: unknown };
    const where = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
    throw new SimCsvError(
      `The file is not valid CSV (${typeof e.code === 'string' ? e.code : 'parse error'}${where}).`,
    );
  }
  const [header, ...body] = records;
  if (!header) throw new SimCsvError('The file is empty: expected a header row and at least one SIM.');
  if (body.length > (o.maxRows ?? 200_000))
    throw new SimCsvError(`The file has ${body.length} rows; at most ${o.maxRows ?? 200_000} per import.`);
  const { columns, format } = mapHeader(header.record);
  const rows: SimRow[] = [];
  const problems: RowProblem[] = [];
  for (const { record, info } of body) {
    const r = validate(record, info.lines, columns, o, format === 'magma');
    if ('reason' in r) problems.push(r);
    else rows.push(r);
  }
  return { rows, problems, totalRows: body.length, format };
}
