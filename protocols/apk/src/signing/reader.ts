import { ApkSignatureError, type ApkSignatureErrorCode } from './apk-signature-errors.js';

/**
 * A cursor over a little-endian, length-prefixed structure (ApkSigningBlockUtils.getLengthPrefixedSlice): every
 * read is checked against what is left, so a lying length is an error with a code, never an out-of-bounds read.
 */
export class Reader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly code: ApkSignatureErrorCode = 'scheme_block_malformed',
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.remaining)
      throw new ApkSignatureError(this.code, `${what}: needs ${n} bytes, ${this.remaining} left`);
  }

  uint32(what = 'uint32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A uint32 length, then that many bytes (a view, not a copy). */
  lengthPrefixed(what = 'length-prefixed field'): Buffer {
    const length = this.uint32(what);
    this.need(length, what);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** The rest (a view). */
  rest(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  /** Each element of a sequence of length-prefixed elements filling this reader, with a cap on their count. */
  sequence(what: string, max: number): Buffer[] {
    const out: Buffer[] = [];
    while (this.remaining > 0) {
      if (out.length >= max) throw new ApkSignatureError('limit_exceeded', `more than ${max} ${what}`);
      out.push(this.lengthPrefixed(what));
    }
    return out;
  }
}
