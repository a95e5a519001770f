import type { ByteSource } from '../byte-source.js';

/** PKWARE APPNOTE 4.3.16: end of central directory record. */
const EOCD_SIGNATURE = 0x06054b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** APPNOTE 4.3.15: the ZIP64 end of central directory locator sits right before the EOCD. */
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;

export type Eocd = {
  /** Offset of the EOCD record in the file. */
  offset: number;
  /** Offset and size of the central directory, as the EOCD states them. */
  cdOffset: number;
  cdSize: number;
  entries: number;
  commentLength: number;
};

export class EocdError extends Error {
  constructor(
    readonly code: 'zip_no_eocd' | 'zip64_unsupported' | 'zip_multi_disk' | 'zip_cd_out_of_bounds',
    message: string,
  ) {
    super(message);
    this.name = 'EocdError';
  }
}

/**
 * Finds the EOCD the way apksig's ZipUtils does: the last record whose comment length reaches exactly the end
 * of the file, searched within the last 22 + 65,535 bytes. The central directory must end where the EOCD
 * starts (what APK signature schemes v2/v3 rely on: the APK Signing Block sits right before it).
 */
export async function readEocd(source: ByteSource): Promise<Eocd> {
  if (source.size < EOCD_MIN_SIZE) throw new EocdError('zip_no_eocd', 'too short to be a ZIP file');
  const tailLength = Math.min(source.size, EOCD_MIN_SIZE + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  for (let i = tailLength - EOCD_MIN_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const commentLength = tail.readUInt16LE(i + 20);
    if (i + EOCD_MIN_SIZE + commentLength !== tailLength) continue;
    const offset = tailStart + i;
    const disk = tail.readUInt16LE(i + 4);
    const cdDisk = tail.readUInt16LE(i + 6);
    const entriesOnDisk = tail.readUInt16LE(i + 8);
    const entries = tail.readUInt16LE(i + 10);
    const cdSize = tail.readUInt32LE(i + 12);
    const cdOffset = tail.readUInt32LE(i + 16);
    if (offset >= ZIP64_LOCATOR_SIZE) {
      const locator = await source.read(offset - ZIP64_LOCATOR_SIZE, 4);
      if (locator.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE)
        throw new EocdError('zip64_unsupported', 'ZIP64 archives are not accepted');
    }
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
      throw new EocdError('zip64_unsupported', 'ZIP64 archives are not accepted');
    if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== entries)
      throw new EocdError('zip_multi_disk', 'multi-disk (spanned) archives are not accepted');
    if (cdOffset + cdSize !== offset)
      throw new EocdError(
        'zip_cd_out_of_bounds',
        `the central directory (${cdOffset}+${cdSize}) does not end at the EOCD (${offset})`,
      );
    return { offset, cdOffset, cdSize, entries, commentLength };
  }
  throw new EocdError('zip_no_eocd', 'no end of central directory record: not a ZIP file, or truncated');
}
