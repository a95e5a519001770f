import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  type Cidr,
} from './ip-address.js';

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.reason);
  return r.cidr;
}

function ip(text: string) {
  const a = parseIp(text);
  if (!a) throw new Error(`not an address: ${text}`);
  return a;
}

describe('parseIp', () => {
  it('reads IPv4 and IPv6 literals and writes them back canonically', () => {
    expect(formatIp(ip('10.45.0.1'))).toBe('10.45.0.1');
    expect(formatIp(ip('2001:DB8:cafe:0:0:0:0:1'))).toBe('2001:db8:cafe::1');
    expect(formatIp(ip('::1'))).toBe('::1');
    expect(formatIp(ip('::'))).toBe('::');
    expect(formatIp(ip('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
    expect(ip('::ffff:10.0.0.1').value).toBe(0xffff0a000001n);
  });

  it('refuses host names, zone indexes and octal-looking IPv4', () => {
    expect(parseIp('amf.localdomain')).toBeNull();
    expect(parseIp('fe80::1%eth0')).toBeNull();
    expect(parseIp('10.045.0.1')).toBeNull();
    expect(parseIp('256.0.0.1')).toBeNull();
  });
});

describe('parseCidr', () => {
  it('accepts network addresses only and explains host bits', () => {
    expect(formatCidr(cidr('10.45.0.0/16'))).toBe('10.45.0.0/16');
    expect(parseCidr('10.45.0.1/16')).toEqual({
      ok: false,
      reason: '10.45.0.1/16 has host bits set; write the network address 10.45.0.0/16',
    });
    expect(parseCidr('2001:db8:cafe::1/48')).toMatchObject({ ok: false });
    expect(parseCidr('10.45.0.0/33')).toEqual({ ok: false, reason: 'prefix /33 is longer than 32 bits' });
    expect(parseCidr('10.45.0.0')).toMatchObject({ ok: false });
  });

  it('sizes, containment and overlap work across both families', () => {
    expect(cidrSize(cidr('10.45.0.0/16'))).toBe(65_536n);
    expect(cidrSize(cidr('2001:db8:cafe::/48'))).toBe(1n << 80n);
    expect(cidrContains(cidr('10.45.0.0/16'), ip('10.45.255.255'))).toBe(true);
    expect(cidrContains(cidr('10.45.0.0/16'), ip('10.46.0.1'))).toBe(false);
    expect(cidrContains(cidr('10.45.0.0/16'), ip('::1'))).toBe(false);
    expect(cidrsOverlap(cidr('10.45.0.0/16'), cidr('10.45.128.0/17'))).toBe(true);
    expect(cidrsOverlap(cidr('10.45.0.0/16'), cidr('10.46.0.0/16'))).toBe(false);
    expect(cidrsOverlap(cidr('2001:db8::/32'), cidr('2001:db8:cafe::/48'))).toBe(true);
  });
});
