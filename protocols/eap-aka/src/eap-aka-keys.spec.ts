import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  akaKeysFromMk,
  computeAtMac,
  computeCheckcode,
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  fips186Prf,
  prfPrime,
  sha1Compress,
  signPacket,
  verifyAtMac,
} from './eap-aka-keys.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SHA-1 compression (FIPS 180-4 §6.1.2)', () => {
  it('equals Node SHA-1 on a block that already carries SHA-1 padding', () => {
    // "abc" padded by hand (0x80, zeros, 64-bit bit length 24): one compression must give SHA1("abc").
    const block = Buffer.alloc(64);
    block.write('abc', 'ascii');
    block[3] = 0x80;
    block[63] = 24;
    expect(hex(sha1Compress(block))).toBe(createHash('sha1').update('abc').digest('hex'));
  });

  it('rejects a block that is not 64 bytes', () => {
    expect(() => sha1Compress(Buffer.alloc(63))).toThrow(RangeError);
  });
});

describe('FIPS 186-2 PRF (RFC 4187 §7)', () => {
  // RFC 4186 Appendix A.5 (EAP-SIM uses the same PRF as RFC 4187 §7); the same figures appear in FreeRADIUS'
  // fips186prf.c TEST_FIPS186PRF block and in other public EAP-SIM/AKA test suites.
  const MK = h('e576d5ca 332e9930 018bf1ba ee2763c7 95b3c712');
  const K_ENCR = '536e5ebc4465582aa6a8ec9986ebb620';
  const K_AUT = '25af1942efcbf4bc72b3943421f2a974';
  const MSK =
    '39d45aeaf4e30601983e972b6cfd46d1c363773365690d09cd44976b525f47d3' +
    'a60a985e955c53b090b2e4b73719196a402542968fd14a888f46b9a7886e4488';
  const EMSK =
    '5949eab0fff69d52315c6c634fd14a7f0d52023d56f79698fa6596abeed4f93f' +
    'bb48eb534d985414ceed0d9a8ed33c387c9dfdab92ffbdf240fcecf65a2c93b9';

  it('expands the RFC 4186 A.5 MK into K_encr, K_aut, MSK and EMSK', () => {
    const keys = akaKeysFromMk(MK);
    expect(hex(keys.kEncr)).toBe(K_ENCR);
    expect(hex(keys.kAut)).toBe(K_AUT);
    expect(hex(keys.msk)).toBe(MSK);
    expect(hex(keys.emsk)).toBe(EMSK);
  });

  it('truncates without changing the prefix', () => {
    expect(hex(fips186Prf(MK, 32))).toBe(K_ENCR + K_AUT);
  });

  it('computes MK = SHA1(Identity | IK | CK)', () => {
    const identity = Buffer.from('0001010123456789@example.org');
    const ik = h('00112233445566778899aabbccddeeff');
    const ck = h('ffeeddccbbaa99887766554433221100');
    const mk = createHash('sha1')
      .update(Buffer.concat([identity, ik, ck]))
      .digest();
    expect(deriveAkaKeys(identity, ik, ck)).toEqual(akaKeysFromMk(mk));
  });

  it('rejects an XKEY that is not 160 bits', () => {
    expect(() => fips186Prf(Buffer.alloc(16), 20)).toThrow(RangeError);
  });
});

/**
 * RFC 5448 Appendix C, cases 1 and 2 (RFC 9048 keeps the same test vectors): identity "0555444333222111",
 * MILENAGE outputs of TS 35.208 test set 19. Cross-checked against free5gc's and Android's EAP-AKA' tests.
 */
const AKA_PRIME_CASES = [
  {
    name: 'case 1, network "WLAN"',
    network: 'WLAN',
    ckPrime: '0093962d0dd84aa5684b045c9edffa04',
    ikPrime: 'ccfc230ca74fcc96c0a5d61164f5a76c',
    kEncr: '766fa0a6c317174b812d52fbcd11a179',
    kAut: '0842ea722ff6835bfa2032499fc3ec23c2f0e388b4f07543ffc677f1696d71ea',
    kRe: 'cf83aa8bc7e0aced892acc98e76a9b2095b558c7795c7094715cb3393aa7d17a',
    msk:
      '67c42d9aa56c1b79e295e3459fc3d187d42be0bf818d3070e362c5e967a4d544' +
      'e8ecfe19358ab3039aff03b7c930588c055babee58a02650b067ec4e9347c75a',
    emsk:
      'f861703cd775590e16c7679ea3874ada866311de290764d760cf76df647ea01c' +
      '313f69924bdd7650ca9bac141ea075c4ef9e8029c0e290cdbad5638b63bc23fb',
  },
  {
    name: 'case 2, network "HRPD"',
    network: 'HRPD',
    ckPrime: '3820f0277fa5f77732b1fb1d90c1a0da',
    ikPrime: 'db94a0ab557ef6c9ab48619ca05b9a9f',
    kEncr: '05ad73ac915fce89ac77e1520d82187b',
    kAut: '5b4acaef62c6ebb8882b2f3d534c4b35277337a00184f20ff25d224c04be2afd',
    kRe: '3f90bf5c6e5ef325ff04eb5ef6539fa8cca8398194fbd00be425b3f40dba10ac',
    msk:
      '87b321570117cd6c95ab6c436fb5073ff15cf85505d2bc5bb7355fc21ea8a757' +
      '57e8f86a2b138002e05752913bb43b82f868a96117e91a2d95f526677d572900',
    emsk:
      'c891d5f20f148a1007553e2dea555c9cb672e9675f4a66b4bafa027379f93aee' +
      '539a5979d0a0042b9d2ae28bed3b17a31dc8ab75072b80bd0c1da612466e402c',
  },
] as const;

describe("EAP-AKA' key derivation (RFC 9048 §3.3–§3.4)", () => {
  const identity = Buffer.from('0555444333222111', 'ascii');
  const ck = h('5349fbe098649f948f5d2e973a81c00f');
  const ik = h('9744871ad32bf9bbd1dd5ce54e3e2e5a');
  const autn = h('bb52e91c747ac3ab2a5c23d15ee351d5');

  it.each(AKA_PRIME_CASES)('derives CK′, IK′ and the session keys for $name', (v) => {
    const { ckPrime, ikPrime } = deriveCkIkPrime(ck, ik, Buffer.from(v.network), autn.subarray(0, 6));
    expect(hex(ckPrime)).toBe(v.ckPrime);
    expect(hex(ikPrime)).toBe(v.ikPrime);
    const keys = deriveAkaPrimeKeys(identity, ckPrime, ikPrime);
    expect([hex(keys.kEncr), hex(keys.kAut), hex(keys.kRe)]).toEqual([v.kEncr, v.kAut, v.kRe]);
    expect([hex(keys.msk), hex(keys.emsk)]).toEqual([v.msk, v.emsk]);
  });

  it("builds PRF' blocks as HMAC chains", () => {
    const key = Buffer.alloc(32, 1);
    const s = Buffer.from('seed');
    const t1 = createHmac('sha256', key)
      .update(Buffer.concat([s, Buffer.from([1])]))
      .digest();
    const t2 = createHmac('sha256', key)
      .update(Buffer.concat([t1, s, Buffer.from([2])]))
      .digest();
    expect(prfPrime(key, s, 40)).toEqual(Buffer.concat([t1, t2]).subarray(0, 40));
  });

  it('rejects malformed KDF inputs', () => {
    expect(() => deriveCkIkPrime(ck, ik, Buffer.from('WLAN'), Buffer.alloc(5))).toThrow(RangeError);
    expect(() => deriveCkIkPrime(ck, ik, Buffer.alloc(0), Buffer.alloc(6))).toThrow(RangeError);
    expect(() => prfPrime(ck, ik, 255 * 32 + 1)).toThrow(RangeError);
  });
});

describe('AT_MAC and AT_CHECKCODE', () => {
  const packet = Buffer.concat([Buffer.from('0102002c1701000001050000', 'hex'), Buffer.alloc(32, 0xab)]);
  const macOffset = 12;
  const zeroed = Buffer.from(packet).fill(0, macOffset, macOffset + 16);

  it('is HMAC-SHA1-128 for EAP-AKA and HMAC-SHA-256-128 for EAP-AKA′ over the packet with MAC zeroed', () => {
    const k16 = Buffer.alloc(16, 7);
    const k32 = Buffer.alloc(32, 7);
    const sha1 = createHmac('sha1', k16).update(zeroed).digest().subarray(0, 16);
    const sha256 = createHmac('sha256', k32).update(zeroed).digest().subarray(0, 16);
    expect(computeAtMac('aka', k16, packet, macOffset)).toEqual(sha1);
    expect(computeAtMac('aka-prime', k32, packet, macOffset)).toEqual(sha256);
  });

  it('verifies what it signed and rejects one flipped bit anywhere', () => {
    const kAut = Buffer.alloc(16, 9);
    const signed = signPacket('aka', kAut, zeroed, macOffset);
    expect(verifyAtMac('aka', kAut, signed, macOffset)).toBe(true);
    for (const byte of [0, 5, macOffset, signed.length - 1]) {
      const tampered = Buffer.from(signed);
      tampered[byte] = tampered[byte]! ^ 1;
      expect(verifyAtMac('aka', kAut, tampered, macOffset)).toBe(false);
    }
    expect(() => computeAtMac('aka', kAut, signed, signed.length - 8)).toThrow(RangeError);
  });

  it('is empty without identity messages and a digest of them otherwise', () => {
    const messages = [Buffer.from('req'), Buffer.from('resp')];
    expect(computeCheckcode('aka', [])).toHaveLength(0);
    expect(computeCheckcode('aka', messages)).toEqual(createHash('sha1').update('reqresp').digest());
    expect(computeCheckcode('aka-prime', messages)).toEqual(createHash('sha256').update('reqresp').digest());
  });
});
