import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptMppeKey,
  encryptMppeKey,
  MPPE_MAX_KEY_BYTES,
  mppeKeysFromMsk,
  mppeSalt,
} from './radius-mppe.js';

const SECRET = Buffer.from('testing123');
const AUTHENTICATOR = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');
const SALT = Buffer.from('8a3c', 'hex');

/**
 * RFC 2548 §2.4.2 written out a second way: the whole keystream first (each b(i) from the previous
 * ciphertext block), then one XOR, then the salt in front.
 */
function rfc2548Encrypt(key: Buffer, secret: Buffer, authenticator: Buffer, salt: Buffer): Buffer {
  const p = Buffer.concat([Buffer.from([key.length]), key]);
  const padded = Buffer.concat([p, Buffer.alloc((16 - (p.length % 16)) % 16)]);
  const c = Buffer.alloc(padded.length);
  for (let i = 0; i < padded.length / 16; i++) {
    const seed = i === 0 ? Buffer.concat([authenticator, salt]) : c.subarray((i - 1) * 16, i * 16);
    const b = createHash('md5')
      .update(Buffer.concat([secret, seed]))
      .digest();
    for (let j = 0; j < 16; j++) c[i * 16 + j] = padded[i * 16 + j]! ^ b[j]!;
  }
  return Buffer.concat([salt, c]);
}

const input = { secret: SECRET, requestAuthenticator: AUTHENTICATOR };

describe('MS-MPPE key encryption (RFC 2548 §2.4.2/§2.4.3)', () => {
  it('agrees with an independent implementation for a 32-byte key (3 blocks)', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const value = encryptMppeKey({ ...input, key, salt: SALT });
    expect(value.length).toBe(2 + 48);
    expect(value).toEqual(rfc2548Encrypt(key, SECRET, AUTHENTICATOR, SALT));
    expect(value.subarray(0, 2)).toEqual(SALT);
  });

  it('round-trips every key length from 1 to the largest that fits a VSA', () => {
    for (let length = 1; length <= MPPE_MAX_KEY_BYTES; length += length < 40 ? 1 : 17) {
      const key = Buffer.alloc(length, length);
      const value = encryptMppeKey({ ...input, key, salt: SALT });
      expect(value).toEqual(rfc2548Encrypt(key, SECRET, AUTHENTICATOR, SALT));
      expect(decryptMppeKey({ ...input, value })).toEqual(key);
    }
  });

  it('fails to decrypt with another secret, authenticator or salt', () => {
    const key = Buffer.alloc(32, 0x42);
    const value = encryptMppeKey({ ...input, key, salt: SALT });
    expect(decryptMppeKey({ ...input, value, secret: Buffer.from('testing124') })).toBeNull();
    expect(decryptMppeKey({ ...input, value, requestAuthenticator: Buffer.alloc(16) })).toBeNull();
    const otherSalt = Buffer.from(value);
    otherSalt[1] = otherSalt[1]! ^ 1;
    expect(decryptMppeKey({ ...input, value: otherSalt })).toBeNull();
  });

  it('refuses malformed values', () => {
    const value = encryptMppeKey({ ...input, key: Buffer.alloc(32, 1), salt: SALT });
    const lowBitSalt = Buffer.from(value);
    lowBitSalt[0] = 0x0a;
    for (const bad of [Buffer.alloc(0), value.subarray(0, 2), value.subarray(0, 49), lowBitSalt]) {
      expect(decryptMppeKey({ ...input, value: bad })).toBeNull();
    }
  });

  it('throws on a salt without the high bit, an empty key and a key too long for a VSA', () => {
    const key = Buffer.alloc(16);
    expect(() => encryptMppeKey({ ...input, key, salt: Buffer.from('7fff', 'hex') })).toThrow(/high bit/);
    expect(() => encryptMppeKey({ ...input, key, salt: Buffer.from('80', 'hex') })).toThrow(/2 bytes/);
    expect(() => encryptMppeKey({ ...input, key: Buffer.alloc(0), salt: SALT })).toThrow(/length/);
    expect(() => encryptMppeKey({ ...input, key: Buffer.alloc(240), salt: SALT })).toThrow(/length/);
  });
});

describe('mppeSalt', () => {
  it('sets the high bit and never repeats within a packet, whatever the randomness', () => {
    const used = new Set<number>();
    const salts = Array.from({ length: 5 }, () => mppeSalt(Buffer.from('0001', 'hex'), used));
    expect(salts.map((s) => s.toString('hex'))).toEqual(['8001', '8002', '8003', '8004', '8005']);
    expect(mppeSalt(Buffer.from('ffff', 'hex'), new Set([0xffff])).toString('hex')).toBe('8000');
  });
});

describe('mppeKeysFromMsk', () => {
  it('gives MS-MPPE-Recv-Key = MSK[0..31] and MS-MPPE-Send-Key = MSK[32..63]', () => {
    const msk = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
    const { recvKey, sendKey } = mppeKeysFromMsk(msk);
    expect(recvKey.toString('hex')).toBe(msk.subarray(0, 32).toString('hex'));
    expect(sendKey.toString('hex')).toBe(msk.subarray(32, 64).toString('hex'));
    msk.fill(0);
    expect(recvKey[1]).toBe(1); // copies, so wiping the MSK later is safe
  });

  it('refuses an MSK shorter than 64 bytes', () => {
    expect(() => mppeKeysFromMsk(Buffer.alloc(63))).toThrow(/64/);
  });
});
