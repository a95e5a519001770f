import { CsvFormatError, headerFields, lineKind } from './csv-lines.js';

/** Limits of one upload, checked while it is read (never after buffering it). */
export type CsvLimits = {
  /** Bytes in the whole file. */
  maxBytes: number;
  /** Record rows, header excluded. */
  maxRows: number;
  /** Bytes in one line: stops a file without line breaks early. */
  maxLineBytes: number;
};

export type CsvLimit = keyof CsvLimits;

/** A limit crossed while reading: names the limit, so the reply can say what to do. */
export class CsvLimitError extends Error {
  override name = 'CsvLimitError';
  constructor(
    readonly limit: CsvLimit,
    message: string,
  ) {
    super(message);
  }
}

/** Whole lines of the file, `firstLine`…`lastLine` (1-based), LF-separated as uploaded. */
export type CsvBlock = { seq: number; firstLine: number; lastLine: number; bytes: Buffer };

/** How an import names its rows and limits in the messages an uploader reads. */
export type CsvReaderWords = {
  /** What one row is, e.g. "SIM" or "official". */
  row: string;
  /** The variables that set maxBytes and maxRows, named in the messages. */
  maxBytesVariable: string;
  maxRowsVariable: string;
  /** Added to the line-length message: what a line should look like. */
  lineHint: string;
  /** Makes the file-format error (the import's own class, so its error code follows). */
  formatError?: (message: string) => Error;
};

/**
 * Cuts an uploaded CSV into blocks of whole lines as its bytes arrive, checking the size, line-length and row
 * limits on the way, and finds the header row (`mapHeader` checks it) as soon as it is complete. Pure: bytes
 * in, blocks out; it holds at most one block and one unfinished line. Lines are split at LF bytes only, which
 * UTF-8 never uses inside a character, so no decoding is needed here.
 */
export class CsvBlockReader<H> {
  bytes = 0;
  rows = 0;
  lines = 0;
  header: { text: Buffer; mapped: H } | undefined;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private block: Buffer[] = [];
  private blockFirst = 1;
  private blockRows = 0;
  private seq = 0;

  constructor(
    private readonly limits: CsvLimits,
    private readonly words: CsvReaderWords,
    private readonly mapHeader: (fields: string[]) => H,
    /** Record lines per block: a worker's unit of work and the unit the upload is stored in. */
    private readonly blockRowCount = 1_000,
  ) {}

  push(chunk: Buffer): CsvBlock[] {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes)
      throw new CsvLimitError(
        'maxBytes',
        `The file is larger than ${this.limits.maxBytes} bytes (${this.words.maxBytesVariable}): split it into several imports.`,
      );
    const out: CsvBlock[] = [];
    for (let pos = 0; pos < chunk.length;) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.partialBytes += end - pos;
      // +1 tolerates the CR of a CRLF line ending.
      if (this.partialBytes > this.limits.maxLineBytes + 1)
        throw new CsvLimitError(
          'maxLineBytes',
          `Line ${this.lines + 1} is longer than ${this.limits.maxLineBytes} bytes: ${this.words.lineHint}`,
        );
      this.partial.push(chunk.subarray(pos, end));
      if (nl < 0) break;
      this.completeLine(out);
      pos = nl + 1;
    }
    return out;
  }

  /** The end of the upload: the last block, or a format error when the file has no header or no row. */
  end(): CsvBlock[] {
    const out: CsvBlock[] = [];
    if (this.partialBytes > 0) this.completeLine(out);
    const { row } = this.words;
    if (!this.header)
      throw this.formatError(`The file is empty: expected a header row and at least one ${row}.`);
    if (this.rows === 0) throw this.formatError(`The file has a header row but no ${row} rows.`);
    if (this.blockRows > 0) out.push(this.cut());
    return out;
  }

  private formatError(message: string): Error {
    return this.words.formatError ? this.words.formatError(message) : new CsvFormatError(message);
  }

  private completeLine(out: CsvBlock[]): void {
    const line = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
    this.partial = [];
    this.partialBytes = 0;
    this.lines++;
    const kind = lineKind(this.lines === 1 && line[0] === 0xef ? line.subarray(3) : line);
    if (!this.header) {
      if (kind === 'record') {
        const mapped = this.mapHeader(headerFields(line, (m) => this.formatError(m)));
        this.header = { text: Buffer.from(line), mapped };
      }
      this.blockFirst = this.lines + 1;
      return;
    }
    if (kind === 'record') {
      this.rows++;
      this.blockRows++;
      if (this.rows > this.limits.maxRows)
        throw new CsvLimitError(
          'maxRows',
          `The file has more than ${this.limits.maxRows} ${this.words.row} rows (${this.words.maxRowsVariable}): split it into several imports.`,
        );
    }
    this.block.push(line, LF);
    if (this.blockRows >= this.blockRowCount) out.push(this.cut());
  }

  private cut(): CsvBlock {
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
