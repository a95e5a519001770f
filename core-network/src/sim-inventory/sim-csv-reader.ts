import {
  headerFields,
  lineKind,
  mapHeader,
  SimCsvError,
  type Columns,
  type SimCsvFormat,
} from './sim-csv.js';

/** Limits of one import, checked while the upload is read (never after buffering it). */
export type SimImportLimits = {
  /** Bytes in the whole file (SIM_IMPORT_MAX_BYTES). */
  maxBytes: number;
  /** SIM rows, header excluded (SIM_IMPORT_MAX_ROWS). */
  maxRows: number;
  /** Bytes in one line: a SIM row is ~150 bytes; this stops a file without line breaks early. */
  maxLineBytes: number;
};

export type SimImportLimit = keyof SimImportLimits;

/** A limit crossed while reading: names the limit, so the reply can say what to do. */
export class SimImportLimitError extends Error {
  override name = 'SimImportLimitError';
  constructor(
    readonly limit: SimImportLimit,
    message: string,
  ) {
    super(message);
  }
}

/** Whole lines of the file, `firstLine`…`lastLine` (1-based), LF-separated as uploaded. */
export type SimCsvBlock = { seq: number; firstLine: number; lastLine: number; bytes: Buffer };

/** Record lines per block: a worker's unit of work and the unit the upload is stored in. */
export const BLOCK_ROWS = 1_000;

/**
 * Cuts an uploaded CSV into blocks of whole lines as its bytes arrive, checking the size, line-length and row
 * limits on the way, and finds and checks the header row as soon as it is complete. Pure: bytes in, blocks
 * out; it holds at most one block and one unfinished line. Lines are split at LF bytes only, which UTF-8 never
 * uses inside a character, so no decoding is needed here.
 */
export class SimCsvReader {
  bytes = 0;
  rows = 0;
  lines = 0;
  header: { text: Buffer; columns: Columns; format: SimCsvFormat } | undefined;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private block: Buffer[] = [];
  private blockFirst = 1;
  private blockRows = 0;
  private seq = 0;

  constructor(private readonly limits: SimImportLimits) {}

  push(chunk: Buffer): SimCsvBlock[] {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes)
      throw new SimImportLimitError(
        'maxBytes',
        `The file is larger than ${this.limits.maxBytes} bytes (SIM_IMPORT_MAX_BYTES): split it into several imports.`,
      );
    const out: SimCsvBlock[] = [];
    for (let pos = 0; pos < chunk.length;) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.partialBytes += end - pos;
      // +1 tolerates the CR of a CRLF line ending.
      if (this.partialBytes > this.limits.maxLineBytes + 1)
        throw new SimImportLimitError(
          'maxLineBytes',
          `Line ${this.lines + 1} is longer than ${this.limits.maxLineBytes} bytes: a SIM row is a few hundred ` +
            'bytes at most. Is this a CSV file with one SIM per line?',
        );
      this.partial.push(chunk.subarray(pos, end));
      if (nl < 0) break;
      this.completeLine(out);
      pos = nl + 1;
    }
    return out;
  }

  /** The end of the upload: the last block, or a SimCsvError when the file has no header or no SIM row. */
  end(): SimCsvBlock[] {
    const out: SimCsvBlock[] = [];
    if (this.partialBytes > 0) this.completeLine(out);
    if (!this.header) throw new SimCsvError('The file is empty: expected a header row and at least one SIM.');
    if (this.rows === 0) throw new SimCsvError('The file has a header row but no SIM rows.');
    if (this.blockRows > 0) out.push(this.cut());
    return out;
  }

  private completeLine(out: SimCsvBlock[]): void {
    const line = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
    this.partial = [];
    this.partialBytes = 0;
    this.lines++;
    const kind = lineKind(this.lines === 1 && line[0] === 0xef ? line.subarray(3) : line);
    if (!this.header) {
      if (kind === 'record') {
        const { columns, format } = mapHeader(headerFields(line));
        this.header = { text: Buffer.from(line), columns, format };
      }
      this.blockFirst = this.lines + 1;
      return;
    }
    if (kind === 'record') {
      this.rows++;
      this.blockRows++;
      if (this.rows > this.limits.maxRows)
        throw new SimImportLimitError(
          'maxRows',
          `The file has more than ${this.limits.maxRows} SIM rows (SIM_IMPORT_MAX_ROWS): split it into several imports.`,
        );
    }
    this.block.push(line, LF);
    if (this.blockRows >= BLOCK_ROWS) out.push(this.cut());
  }

  private cut(): SimCsvBlock {
    const block = {
      seq: this.seq++,
      firstLine: this.blockFirst,
      lastLine: this.lines,
      bytes: Buffer.concat(this.block),
    };
    this.block = [];
    this.blockRows = 0;
    this.blockFirst = this.lines + 1;
    return block;
  }
}

const LF = Buffer.from([0x0a]);
