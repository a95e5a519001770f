import { CsvBlockReader, CsvFormatError, CsvLimitError } from '@pakawaaz/platform';
import { identityError } from '../identity.errors.js';
import { mapOfficialHeader, type OfficialColumns } from './official-csv.js';

/** Limits of one officials file (10,000 officials are ~1.5 MB; the limits leave room and stop a wrong file). */
export const USER_IMPORT_LIMITS = { maxBytes: 16 * 1024 * 1024, maxRows: 50_000, maxLineBytes: 2_048 };
const BLOCK_ROWS = 1_000;

/** The platform's CSV block reader with the officials' header check and wording. */
export function officialsReader(): CsvBlockReader<OfficialColumns> {
  return new CsvBlockReader(
    USER_IMPORT_LIMITS,
    {
      row: 'official',
      maxBytesVariable: 'the officials import limit',
      maxRowsVariable: 'the officials import limit',
      lineHint: 'an official is a few hundred bytes at most. Is this a CSV file with one official per line?',
    },
    mapOfficialHeader,
    BLOCK_ROWS,
  );
}

/** What the uploader is told: the limit or the CSV problem, as a 413 or 400 with what to do. */
export function uploadError(err: unknown): unknown {
  if (err instanceof CsvLimitError)
    return identityError(
      err.limit === 'maxLineBytes' ? 'invalid_user_import' : 'user_import_too_large',
      err.message,
    );
  if (err instanceof CsvFormatError) return identityError('invalid_user_import', err.message);
  return err;
}
