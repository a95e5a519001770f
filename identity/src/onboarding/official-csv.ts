import { blockRecords, CsvFormatError } from '@pakawaaz/platform/csv';
import { validateOfficial, type OfficialRecord } from './official-record.js';

/** Column positions of an officials file's header row. */
export type OfficialColumns = { [K in keyof OfficialRecord]?: number };

/** Accepted header names (case-insensitive; spaces and dashes read as underscores). */
const ALIASES: Record<keyof OfficialRecord, string[]> = {
  username: ['username', 'user', 'login'],
  displayName: ['name', 'display_name', 'displayname', 'full_name'],
  designation: ['designation', 'title'],
  institution: ['institution', 'institution_id', 'ministry', 'department'],
  email: ['email', 'mail', 'e_mail'],
  phone: ['phone', 'telephone', 'mobile'],
  imsi: ['imsi'],
};

export const OFFICIAL_COLUMNS = 'username,name,designation,institution,email,phone[,imsi]';

/** Maps a header row to column positions; a header that lacks a needed column is a CsvFormatError. */
export function mapOfficialHeader(header: string[]): OfficialColumns {
  const names = header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const columns: OfficialColumns = {};
  for (const key of Object.keys(ALIASES) as (keyof OfficialRecord)[]) {
    const i = names.findIndex((n) => ALIASES[key].includes(n));
    if (i >= 0) columns[key] = i;
  }
  const absent = (['username', 'displayName', 'institution'] as const).filter(
    (k) => columns[k] === undefined,
  );
  if (absent.length > 0)
    throw new CsvFormatError(
      `The header row lacks: ${absent.map((k) => (k === 'displayName' ? 'name' : k)).join(', ')}. Expected columns ${OFFICIAL_COLUMNS}.`,
    );
  return columns;
}

export type OfficialRow = OfficialRecord & { line: number };
export type OfficialProblem = { line: number; reason: string; username?: string };

/**
 * Parses and validates a block of lines of an officials file. A bad line — unreadable, a stray quote, a bad
 * cell — is a problem with its line number and reason; it never stops the good rows.
 */
export function parseOfficialBlock(input: {
  bytes: Uint8Array;
  firstLine: number;
  fromLine: number;
  columns: OfficialColumns;
}): { rows: OfficialRow[]; problems: OfficialProblem[] } {
  const rows: OfficialRow[] = [];
  const problems: OfficialProblem[] = [];
  const c = input.columns;
  for (const record of blockRecords(input.bytes, input.firstLine, input.fromLine)) {
    if ('reason' in record) {
      problems.push(record);
      continue;
    }
    const cell = (i: number | undefined) => (i === undefined ? undefined : record.fields[i]);
    const r = validateOfficial({
      username: cell(c.username),
      displayName: cell(c.displayName),
      designation: cell(c.designation),
      institution: cell(c.institution),
      email: cell(c.email),
      phone: cell(c.phone),
      imsi: cell(c.imsi),
    });
    if ('reason' in r) {
      const username = cell(c.username)?.trim();
      problems.push({
        line: record.line,
        reason: r.reason,
        ...(username ? { username: username.slice(0, 64) } : {}),
      });
    } else rows.push({ ...r, line: record.line });
  }
  return { rows, problems };
}
