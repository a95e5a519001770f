// The CSV import pieces, pure enough for worker threads: `@pakawaaz/platform/csv` (read-upload stays out:
// it uses node:stream and is re-exported by the platform's main face).
export {
  CsvFormatError,
  blockRecords,
  decodeLine,
  headerFields,
  lineKind,
  splitCsvLine,
  type CsvBlockLine,
} from './csv-lines.js';
export {
  CsvBlockReader,
  CsvLimitError,
  type CsvBlock,
  type CsvLimit,
  type CsvLimits,
  type CsvReaderWords,
} from './csv-block-reader.js';
