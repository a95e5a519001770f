/* Little-endian field writers shared by the binary XML, ZIP and signing-block encoders. */

export const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** apksig ApkSigningBlockUtils.encodeAsLengthPrefixedElement: uint32 length, then the bytes. */
export const lengthPrefixed = (b: Buffer): Buffer => Buffer.concat([u32(b.length), b]);

/** apksig encodeAsSequenceOfLengthPrefixedElements: each element length-prefixed, concatenated. */
export const sequence = (items: Buffer[]): Buffer => Buffer.concat(items.map(lengthPrefixed));
