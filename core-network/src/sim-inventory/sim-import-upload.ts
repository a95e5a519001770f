import type { Readable } from 'node:stream';
import { coreNetworkError } from '../core-network.errors.js';
import { SimCsvError } from './sim-csv.js';
import { readCsvUpload, type StoredUpload } from '@pakawaaz/platform';
import {
  SimCsvReader,
  SimImportLimitError,
  type SimCsvBlock,
  type SimImportLimits,
} from './sim-csv-reader.js';

export type { StoredUpload };

/** Reads an upload through the SimCsvReader into blocks handed to `store` (the platform's readCsvUpload). */
export function readUpload(
  upload: Readable,
  limits: SimImportLimits,
  store: (block: SimCsvBlock) => Promise<void>,
): Promise<StoredUpload> {
  return readCsvUpload(upload, new SimCsvReader(limits), store);
}

/** What the uploader is told: the limit or the CSV problem, as a 413 or 400 with what to do. */
export function uploadError(err: unknown): unknown {
  if (err instanceof SimImportLimitError)
    return coreNetworkError(
      err.limit === 'maxLineBytes' ? 'invalid_sim_import' : 'sim_import_too_large',
      err.message,
    );
  if (err instanceof SimCsvError) return coreNetworkError('invalid_sim_import', err.message);
  return err;
}
