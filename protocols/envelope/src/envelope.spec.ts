import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  openLegacyRaw,
  openWithDataKey,
  SealedDataError,
  sealWithDataKey,
} from './envelope.js';

// Fixture bytes made by release 0.1's core-network/src/crypto/envelope.ts `seal(key, plaintext, aad, iv)`:
// a data key (0x22 × 32) wrapped under a KEK (0x11 × 32), and a SIM's K sealed under that data key.
const kek = Buffer.alloc(32, 0x11);
const dek = Buffer.alloc(32, 0x22);
const dekId = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';
const kekId = 'kek-2026-01-15-0a1b2c3d';
const wrappedV01 = Buffer.from(
  '333333333333333333333333a6a17064e8b0570e909ac94f8509c10a24ea2d16a8fba78eda682ba781aca808cdd70ce3406f307eb8d24120ddc08c98',
  'hex',
);
const kEncV01 = Buffer.from(
  '444444444444444444444444d454f98b53ba571d1ffa500ec0e5717dbaf55eb106d4a439720c62a9d944ba1a',
  'hex',
);
// TS 35.208 test set 1's K.
const k = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');

describe('release-0.1 sealed data', () => {
  it('opens a wrapped data key and a SIM field under their old AAD strings', () => {
    expect(openLegacyRaw(kek, wrappedV01, `pakawaaz:dek:${dekId}:${kekId}`)).toEqual(dek);
    expect(
      openWithDataKey(dek, dekId, kEncV01, 'sim:001010000000001:k', 'pakawaaz:sim:001010000000001:k'),
    ).toEqual(k);
    expect(() => openLegacyRaw(kek, wrappedV01, `pakawaaz:dek:${dekId}:other`)).toThrow(SealedDataError);
    expect(() => openWithDataKey(dek, dekId, kEncV01, 'sim:001010000000001:k')).toThrow(SealedDataError);
  });
});

describe('data-key envelope', () => {
  it('names the data key, binds the context and opens only with both', () => {
    const sealed = sealWithDataKey(dek, dekId, k, 'sim:001010000000001:k');
    expect(sealed).toHaveLength(2 + dekId.length + 12 + 16 + 16);
    expect(decodeEnvelope(sealed)?.keyVersion).toBe(dekId);
    expect(openWithDataKey(dek, dekId, sealed, 'sim:001010000000001:k', 'legacy aad')).toEqual(k);
    expect(() => openWithDataKey(dek, dekId, sealed, 'sim:001010000000001:opc')).toThrow(SealedDataError);
    expect(() => openWithDataKey(Buffer.alloc(32, 1), dekId, sealed, 'sim:001010000000001:k')).toThrow(
      SealedDataError,
    );
    const other = '00000000-0000-4000-8000-000000000000';
    expect(() => openWithDataKey(dek, other, sealed, 'sim:001010000000001:k')).toThrow(SealedDataError);
  });

  it('rejects frames that are not envelopes', () => {
    expect(decodeEnvelope(Buffer.alloc(0))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from([2, 3, 0x61, 0x62, 0x63, ...Buffer.alloc(28)]))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from([1, 0, ...Buffer.alloc(28)]))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from([1, 3, 0x61, 0x20, 0x63, ...Buffer.alloc(28)]))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from([1, 3, 0x61, 0x62, 0x63, ...Buffer.alloc(27)]))).toBeUndefined();
  });
});
