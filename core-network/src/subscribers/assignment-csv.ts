import { CsvBlockReader, CsvFormatError, type CsvLimits } from '@pakawaaz/platform/csv';

/** Limits of one bulk-assignment file: a few thousand officials at a time, checked while it is read. */
export const ASSIGNMENT_LIMITS: CsvLimits = { maxBytes: 1024 * 1024, maxRows: 10_000, maxLineBytes: 1024 };

/** Where the two columns are: `imsi` and `username` (a username or user id), in any order, others ignored. */
export type AssignmentColumns = { imsi: number; username: number };

export function assignmentHeader(fields: string[]): AssignmentColumns {
  const names = fields.map((f) => f.trim().toLowerCase());
  const imsi = names.indexOf('imsi');
  const username = names.indexOf('username');
  if (imsi < 0 || username < 0)
    throw new CsvFormatError(
      'The first row must be the header "imsi,username" (one SIM and the username or user id of its official per line).',
    );
  return { imsi, username };
}

/** One line's values, or why the line is refused before anything is looked up. */
export function assignmentLine(
  fields: string[],
  columns: AssignmentColumns,
): { imsi: string; official: string } | { reason: string } {
  const imsi = (fields[columns.imsi] ?? '').trim();
  const official = (fields[columns.username] ?? '').trim();
  if (!/^\d{15}$/.test(imsi)) return { reason: 'the IMSI must be 15 digits' };
  if (!official) return { reason: 'the username is empty' };
  if (official.length > 128) return { reason: 'the username is longer than 128 characters' };
  return { imsi, official };
}

/** The platform's block reader with the assignment file's header check and wording. */
export class AssignmentCsvReader extends CsvBlockReader<AssignmentColumns> {
  constructor(limits: CsvLimits = ASSIGNMENT_LIMITS) {
    super(
      limits,
      {
        row: 'assignment',
        maxBytesVariable: 'the bulk-assignment limit',
        maxRowsVariable: 'the bulk-assignment limit',
        lineHint: 'a line is "imsi,username". Is this a CSV file with one assignment per line?',
      },
      assignmentHeader,
      200,
    );
  }
}
