import { CsvBlockReader, CsvLimitError, type CsvBlock, type CsvLimits } from '@pakawaaz/platform/csv';
import { mapHeader, SimCsvError, type Columns, type SimCsvFormat } from './sim-csv.js';

/**
 * Limits of one import, checked while the upload is read (never after buffering it): maxBytes is
 * SIM_IMPORT_MAX_BYTES, maxRows SIM_IMPORT_MAX_ROWS, maxLineBytes stops a file without line breaks early.
 */
export type SimImportLimits = CsvLimits;
export type SimImportLimit = keyof SimImportLimits;
/** A limit crossed while reading (the platform's CsvLimitError): names the limit, so the reply can say what to do. */
export const SimImportLimitError = CsvLimitError;
export type SimCsvBlock = CsvBlock;

/** Record lines per block: a worker's unit of work and the unit the upload is stored in. */
export const BLOCK_ROWS = 1_000;

/**
 * The platform's CsvBlockReader with a SIM batch's header check and wording: cuts an upload into blocks of
 * whole lines as its bytes arrive, limits checked on the way.
 */
export class SimCsvReader extends CsvBlockReader<{ columns: Columns; format: SimCsvFormat }> {
  constructor(limits: SimImportLimits) {
    super(
      limits,
      {
        row: 'SIM',
        maxBytesVariable: 'SIM_IMPORT_MAX_BYTES',
        maxRowsVariable: 'SIM_IMPORT_MAX_ROWS',
        lineHint: 'a SIM row is a few hundred bytes at most. Is this a CSV file with one SIM per line?',
        formatError: (m) => new SimCsvError(m),
      },
      mapHeader,
      BLOCK_ROWS,
    );
  }
}
