import { describe, expect, it } from 'vitest';
import { dynamicPoolSize, dynamicRanges, ipv6DynamicPrefixes } from './ue-pool.js';

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

/*
 * The same builder for an AF_INET6 subnet (lib/pfcp/context.c ogs_pfcp_ue_pool_generate): `maxbytes = 8`,
 * `lastindex = 1`, so only the first 64 bits of subnet, gateway, low and high count; the counter goes into
 * addr[1] (bits 32-63) with the little-endian `+= htobe32(inc)`, the /64 equal to the subnet's or the
 * gateway's first 64 bits is skipped, and "Allocate Full IPv6 Address" sets addr[3] += htobe32(inc) (inc
 * already incremented): the entry's interface identifier is its counter + 1.
 */
const bytes6 = (ip: string): number[] => {
  const [head, tail = ''] = ip.split('::') as [string, string?];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 255]);
};
const le32 = (b: number[], i: number) =>
  (b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24)) >>> 0;
const leBytes = (w: number) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24];
const prefixText = (w0: number, w1: number) => {
  const b = [...leBytes(w0), ...leBytes(w1)];
  return [0, 2, 4, 6].map((i) => ((b[i]! << 8) | b[i + 1]!).toString(16)).join(':');
};

/** The pool as "prefix-of-/64 iid" pairs, e.g. ["2001:db8:cafe:1", 2]. */
function open5gsPool6(subnet: string, gateway: string, range: readonly string[], poolSess = 1 << 17) {
  const [net, bits] = subnet.split('/') as [string, string];
  const sub = bytes6(net);
  const maskBytes = Array.from({ length: 16 }, (_, i) =>
    Math.max(0, Math.min(8, Number(bits) - 8 * i)) === 8
      ? 255
      : (0xff00 >> Math.max(0, Number(bits) - 8 * i)) & 255,
  );
  const broadcast = [0, 1].map((i) => (le32(sub, i) + (~le32(maskBytes, i) >>> 0)) >>> 0);
  const gw = bytes6(gateway);
  const ranges = range.length === 0 ? [['', '']] : range.map((r) => r.split('-'));
  const out: [string, number][] = [];
  for (const [low, high] of ranges) {
    const s = low ? bytes6(low) : sub;
    const start = [le32(s, 0), le32(s, 1)];
    const end = high ? [le32(bytes6(high), 0), (le32(bytes6(high), 1) + htobe32(1)) >>> 0] : broadcast;
    for (let inc = 0; out.length < poolSess;) {
      const addr = [start[0]!, (start[1]! + htobe32(inc)) >>> 0];
      inc++;
      if (addr[0] === end[0] && addr[1] === end[1]) break;
      if (addr[0] === le32(sub, 0) && addr[1] === le32(sub, 1)) continue;
      if (addr[0] === le32(gw, 0) && addr[1] === le32(gw, 1)) continue;
      out.push([prefixText(addr[0]!, addr[1]!), inc]);
    }
  }
  return out;
}
const prefixIndex = (p: string, subnet: string) => {
  const a = bytes6(`${p}::`);
  const n = bytes6(subnet.split('/')[0]!);
  return a.slice(0, 8).reduce((acc, b, i) => acc * 256 + (b - n[i]!), 0);
};

describe('the Open5GS IPv6 pool model', () => {
  it('hands one /64 per UE in the upstream 2001:db8:cafe::/48, interface identifier = counter + 1', () => {
    // inc 0 is the network /64 (also the gateway's); inc 1 gives cafe:1 with addr[3] = 2.
    const pool = open5gsPool6('2001:db8:cafe::/48', '2001:db8:cafe::1', []);
    expect(pool.slice(0, 3)).toEqual([
      ['2001:db8:cafe:1', 2],
      ['2001:db8:cafe:2', 3],
      ['2001:db8:cafe:3', 4],
    ]);
    // The last /64 equals `broadcast` and ends the loop: 65536 - network/gateway - last.
    expect(pool.length).toBe(65534);
  });

  it('gives a /64 subnet no address at all (start equals end in the first 64 bits)', () => {
    expect(open5gsPool6('2001:db8:cafe::/64', '2001:db8:cafe::1', [])).toEqual([]);
  });

  it('ipv6DynamicPrefixes counts what the loop hands out without a static block (a /63 none either)', () => {
    for (const [subnet, gateway] of [
      ['2001:db8:cafe::/64', '2001:db8:cafe::1'],
      ['2001:db8:cafe::/63', '2001:db8:cafe::1'],
      ['2001:db8:cafe::/62', '2001:db8:cafe::1'],
      ['2001:db8:cafe::/62', '2001:db8:cafe:1::1'], // the gateway in the second /64
      ['2001:db8:cafe::/62', '2001:db8:cafe:3::1'], // in the last /64, which is never given anyway
      ['2001:db8:cafe::/56', '2001:db8:cafe::1'],
    ] as const)
      expect(ipv6DynamicPrefixes(subnet, gateway), `${subnet} gw ${gateway}`).toBe(
        BigInt(open5gsPool6(subnet, gateway, []).length),
      );
    expect(ipv6DynamicPrefixes('2001:db8:cafe::/63', '2001:db8:cafe::1')).toBe(0n);
  });
});

describe('dynamicRanges for IPv6 (in /64s)', () => {
  it('renders the blocks as first::-(last - 1)::', () => {
    expect(dynamicRanges('2001:db8:cafe::/48', '2001:db8:cafe:8000::/49')).toEqual([
      '2001:db8:cafe::-2001:db8:cafe:7ffe::',
    ]);
  });

  it('leaves a static /64 and its one-/64 sibling out: 2001:db8:cafe::/60 without :5::/64', () => {
    const ranges = dynamicRanges('2001:db8:cafe::/60', '2001:db8:cafe:5::/64');
    expect(ranges).toEqual([
      '2001:db8:cafe::-2001:db8:cafe:2::',
      '2001:db8:cafe:6::-2001:db8:cafe:6::',
      '2001:db8:cafe:8::-2001:db8:cafe:e::',
    ]);
    const pool = open5gsPool6('2001:db8:cafe::/60', '2001:db8:cafe::1', ranges).map(([p]) => p);
    expect(pool).toEqual(['1', '2', '6', '8', '9', 'a', 'b', 'c', 'd', 'e'].map((x) => `2001:db8:cafe:${x}`));
    expect(dynamicPoolSize('2001:db8:cafe::/60', '2001:db8:cafe::1', '2001:db8:cafe:5::/64')).toBe(10n);
  });

  it.each([
    ['2001:db8:cafe::/48', '2001:db8:cafe::1', '2001:db8:cafe:ff00::/56'],
    ['2001:db8:cafe::/48', '2001:db8:cafe:4000::1', '2001:db8:cafe:8000::/49'],
    ['2001:db8:cafe::/56', '2001:db8:cafe::1', '2001:db8:cafe:f0::/60'],
  ] as const)('%s (gateway %s) without %s: no static /64 handed out, none twice', (subnet, gw, reserved) => {
    const ranges = dynamicRanges(subnet, reserved);
    const pool = open5gsPool6(subnet, gw, ranges).map(([p]) => prefixIndex(p, subnet));
    const lo = prefixIndex(reserved.split('/')[0]!.replace(/::$/, ''), subnet);
    const size = 2 ** (64 - Number(reserved.split('/')[1]));
    const total = 2 ** (64 - Number(subnet.split('/')[1]));
    expect(pool.filter((i) => i >= lo && i < lo + size)).toEqual([]);
    expect(pool.every((i) => i >= 0 && i < total)).toBe(true);
    expect(new Set(pool).size).toBe(pool.length);
    expect(BigInt(pool.length)).toBe(dynamicPoolSize(subnet, gw, reserved));
    expect(ranges.length).toBeLessThanOrEqual(16);
  });
});
