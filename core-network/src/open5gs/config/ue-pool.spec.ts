import { describe, expect, it } from 'vitest';
import { dynamicRanges } from './ue-pool.js';

/*
 * A line-by-line model of Open5GS 2.7.7's IPv4 pool builder, lib/pfcp/context.c ogs_pfcp_ue_pool_generate,
 * on a little-endian host (x86-64, arm64): addresses are the network-order bytes read as a host uint32, and
 * `+= htobe32(inc)` is plain uint32 addition of the byte-swapped counter. The expectations below come from
 * what this model (i.e. Open5GS) does with the rendered ranges, not from the renderer.
 */
const raw = (ip: string): number => {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
};
const text = (r: number): string => [r & 255, (r >>> 8) & 255, (r >>> 16) & 255, r >>> 24].join('.');
const htobe32 = (n: number): number =>
  (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;

function open5gsPool(
  subnet: string,
  gateway: string,
  range: readonly string[],
  poolSess = 1 << 20,
): string[] {
  const [net, bits] = subnet.split('/') as [string, string];
  const mask = Number(bits) === 0 ? 0 : htobe32((0xffffffff << (32 - Number(bits))) >>> 0);
  const sub = raw(net);
  const broadcast = (sub + (~mask >>> 0)) >>> 0;
  const ranges = range.length === 0 ? [['', '']] : range.map((r) => r.split('-'));
  const out: string[] = [];
  for (const [low, high] of ranges) {
    const start = low ? raw(low) : sub;
    const end = high ? (raw(high) + htobe32(1)) >>> 0 : broadcast;
    for (let inc = 0; out.length < poolSess;) {
      const addr = (start + htobe32(inc)) >>> 0;
      inc++;
      if (addr === end) break;
      if (addr === sub || addr === raw(gateway)) continue;
      out.push(text(addr));
    }
  }
  return out;
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const inside = (ip: string, cidr: string) => {
  const [net, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  return toInt(ip) >= toInt(net) && toInt(ip) < toInt(net) + size;
};

describe('the Open5GS pool model', () => {
  it('reads the upstream smf.yaml sample range 10.45.0.100-10.45.0.200 as those 101 addresses', () => {
    const pool = open5gsPool('10.45.0.0/16', '10.45.0.1', ['10.45.0.100-10.45.0.200']);
    expect(pool.length).toBe(101);
    expect([pool[0], pool.at(-1)]).toEqual(['10.45.0.100', '10.45.0.200']);
  });

  it('shows why ranges must be block-aligned: an unaligned one leaks addresses outside it', () => {
    const pool = open5gsPool('10.45.0.0/16', '10.45.0.1', ['10.45.0.100-10.45.1.50']);
    expect(pool).toContain('10.45.0.2');
  });
});

describe('dynamicRanges', () => {
  const cases = [
    ['10.45.0.0/16', '10.45.0.1', '10.45.255.0/24'],
    ['10.45.0.0/16', '10.45.0.1', '10.45.128.0/20'],
    ['10.46.0.0/24', '10.46.0.254', '10.46.0.64/26'],
    ['10.47.0.0/20', '10.47.0.1', '10.47.0.4/30'],
  ] as const;

  it.each(cases)(
    '%s without %s: Open5GS hands out no static address and nothing twice',
    (subnet, gw, reserved) => {
      const ranges = dynamicRanges(subnet, reserved);
      const pool = open5gsPool(subnet, gw, ranges);
      const size = 2 ** (32 - Number(subnet.split('/')[1]));
      const reservedSize = 2 ** (32 - Number(reserved.split('/')[1]));

      expect(pool.filter((ip) => inside(ip, reserved))).toEqual([]);
      expect(pool.every((ip) => inside(ip, subnet))).toBe(true);
      expect(new Set(pool).size).toBe(pool.length);
      // Everything else but network, gateway and the last address of each block (one is the broadcast).
      expect(pool.length).toBe(size - reservedSize - 2 - ranges.length);
      expect(ranges.length).toBeLessThanOrEqual(16);
    },
  );

  it('renders the blocks lowest first as first-(last - 1)', () => {
    expect(dynamicRanges('10.45.0.0/16', '10.45.128.0/18')).toEqual([
      '10.45.0.0-10.45.127.254',
      '10.45.192.0-10.45.255.254',
    ]);
  });
});
