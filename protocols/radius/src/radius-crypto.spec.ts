import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeAccountingRequestAuthenticator,
  computeMessageAuthenticator,
  computeResponseAuthenticator,
  digestsEqual,
  hideUserPassword,
  revealUserPassword,
  ZERO_AUTHENTICATOR,
} from './radius-crypto.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SECRET = Buffer.from('xyzzy5461');

/** RFC 2865 §7.1: "nemo" logs in with password "arctangent" from NAS 192.168.1.16 port 3. */
const RFC2865_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03`);
const RFC2865_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);
const RFC2865_AUTHENTICATOR = RFC2865_REQUEST.subarray(4, 20);
const RFC2865_HIDDEN = RFC2865_REQUEST.subarray(28, 44);

/** RFC 5997 §6: a Status-Server with Message-Authenticator, and its Access-Accept. */
const RFC5997_STATUS = hex(`
  0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02 18 5d 06 23 50 12 5a 66 5e 2e 1e 84 11 f3 e2 43
  82 20 97 c8 4f a3`);
const RFC5997_ACCEPT = hex('02 da 00 14 ef 0d 55 2a 4b f2 d6 93 ec 2b 6f e8 b5 41 1d 66');

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it('reveals the RFC 2865 §7.1 password', () => {
    const revealed = revealUserPassword(RFC2865_HIDDEN, SECRET, RFC2865_AUTHENTICATOR);
    expect(revealed?.toString()).toBe('arctangent');
  });

  it('hides "arctangent" to the bytes of the RFC example', () => {
    const hidden = hideUserPassword(Buffer.from('arctangent'), SECRET, RFC2865_AUTHENTICATOR);
    expect(hidden.toString('hex')).toBe(RFC2865_HIDDEN.toString('hex'));
  });

  it('round-trips passwords of every length, chaining blocks past 16 bytes', () => {
    const authenticator = hex('00112233445566778899aabbccddeeff');
    for (let length = 1; length <= 128; length++) {
      const password = Buffer.alloc(length, 0x61 + (length % 26));
      const hidden = hideUserPassword(password, SECRET, authenticator);
      expect(hidden.length).toBe(Math.ceil(length / 16) * 16);
      expect(revealUserPassword(hidden, SECRET, authenticator)).toEqual(password);
    }
  });

  it('matches an independent construction for a 3-block password', () => {
    const password = Buffer.from('a much longer password of 40 bytes......');
    const padded = Buffer.concat([password, Buffer.alloc(8)]);
    let previous: Buffer = RFC2865_AUTHENTICATOR;
    const blocks: Buffer[] = [];
    for (let i = 0; i < 48; i += 16) {
      const b = createHash('md5').update(SECRET).update(previous).digest();
      const c = Buffer.from(padded.subarray(i, i + 16).map((byte, j) => byte ^ b[j]!));
      blocks.push(c);
      previous = c;
    }
    expect(hideUserPassword(password, SECRET, RFC2865_AUTHENTICATOR)).toEqual(Buffer.concat(blocks));
  });

  it('refuses sizes that are not 16…128 in steps of 16, and passwords over 128 bytes', () => {
    for (const size of [0, 15, 17, 31, 144]) {
      expect(revealUserPassword(Buffer.alloc(size), SECRET, RFC2865_AUTHENTICATOR)).toBeNull();
    }
    expect(() => hideUserPassword(Buffer.alloc(129), SECRET, RFC2865_AUTHENTICATOR)).toThrow(/128/);
  });
});

describe('authenticators', () => {
  it('computes the Response Authenticator of the RFC 2865 §7.1 Access-Accept', () => {
    const computed = computeResponseAuthenticator(RFC2865_ACCEPT, RFC2865_AUTHENTICATOR, SECRET);
    expect(computed.toString('hex')).toBe('86fe220e7624ba2a1005f6bf9b55e0b2');
  });

  it('computes the Response Authenticator of the RFC 5997 §6 Access-Accept', () => {
    const computed = computeResponseAuthenticator(RFC5997_ACCEPT, RFC5997_STATUS.subarray(4, 20), SECRET);
    expect(computed).toEqual(RFC5997_ACCEPT.subarray(4, 20));
  });

  it('computes the Message-Authenticator of the RFC 5997 §6 Status-Server', () => {
    const computed = computeMessageAuthenticator(RFC5997_STATUS, 22, RFC5997_STATUS.subarray(4, 20), SECRET);
    expect(computed.toString('hex')).toBe('5a665e2e1e8411f3e243822097c84fa3');
  });

  it('keys the Message-Authenticator on the given authenticator field, not the packet’s', () => {
    const packet = Buffer.from(RFC5997_STATUS);
    const other = hex('ffeeddccbbaa99887766554433221100');
    const expected = Buffer.from(packet);
    other.copy(expected, 4);
    expected.fill(0, 22, 38);
    const independent = createHmac('md5', SECRET).update(expected).digest();
    expect(computeMessageAuthenticator(packet, 22, other, SECRET)).toEqual(independent);
    expect(packet).toEqual(RFC5997_STATUS); // the input is not modified
  });

  it('computes an accounting Request Authenticator over 16 zero octets (RFC 2866 §3)', () => {
    const body = hex('04 07 00 1a 00000000000000000000000000000000 28 06 00 00 00 01');
    const independent = createHash('md5').update(body).update(SECRET).digest();
    const packet = Buffer.from(body);
    independent.copy(packet, 4);
    expect(computeAccountingRequestAuthenticator(packet, SECRET)).toEqual(independent);
    expect(ZERO_AUTHENTICATOR.equals(Buffer.alloc(16))).toBe(true);
  });

  it('compares digests by value and refuses different lengths', () => {
    expect(digestsEqual(hex('0102'), hex('0102'))).toBe(true);
    expect(digestsEqual(hex('0102'), hex('0103'))).toBe(false);
    expect(digestsEqual(hex('0102'), hex('010203'))).toBe(false);
  });

  it('refuses authenticators that are not 16 bytes', () => {
    expect(() => computeResponseAuthenticator(RFC2865_ACCEPT, Buffer.alloc(15), SECRET)).toThrow(/16/);
  });
});
