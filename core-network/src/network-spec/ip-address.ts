import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4/IPv6 arithmetic for UE pools: addresses as bigints so both families share one code path.
 * Pure: no I/O.
 */
export type IpFamily = 4 | 6;
export type IpAddress = { family: IpFamily; value: bigint };
export type Cidr = { family: IpFamily; network: bigint; prefix: number };
export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function parseIp(text: string): IpAddress | null {
  // Leading zeros are refused: inet_aton would read "010" as octal 8, libc's inet_pton refuses it.
  if (isIPv4(text) && !/(^|\.)0\d/.test(text)) return { family: 4, value: ipv4ToBigint(text) };
  if (isIPv6(text) && !text.includes('%')) return { family: 6, value: ipv6ToBigint(text) };
  return null;
}

export function parseCidr(text: string): CidrResult {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match?.[1] || !match[2])
    return { ok: false, reason: 'expected a subnet in CIDR form, e.g. 10.45.0.0/16' };
  const address = parseIp(match[1]);
  if (!address) return { ok: false, reason: `"${match[1]}" is not an IPv4 or IPv6 address` };
  const prefix = Number(match[2]);
  const bits = BITS[address.family];
  if (prefix > bits) return { ok: false, reason: `prefix /${prefix} is longer than ${bits} bits` };
  const cidr: Cidr = { family: address.family, network: address.value, prefix };
  const network = networkOf(cidr);
  if (network !== address.value) {
    const canonical = formatCidr({ ...cidr, network });
    return { ok: false, reason: `${text} has host bits set; write the network address ${canonical}` };
  }
  return { ok: true, cidr };
}

export function hostBits(c: Cidr): number {
  return BITS[c.family] - c.prefix;
}

function networkOf(c: Cidr): bigint {
  const shift = BigInt(hostBits(c));
  return (c.network >> shift) << shift;
}

/** Number of addresses in the subnet (network and broadcast included). */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(hostBits(c));
}

export function lastAddress(c: Cidr): bigint {
  return c.network + cidrSize(c) - 1n;
}

export function cidrContains(c: Cidr, a: IpAddress): boolean {
  return a.family === c.family && a.value >= c.network && a.value <= lastAddress(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export function formatIp(a: IpAddress): string {
  return a.family === 4 ? bigintToIpv4(a.value) : bigintToIpv6(a.value);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.network })}/${c.prefix}`;
}

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bigintToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

function ipv6ToBigint(text: string): bigint {
  let groups = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two 16-bit groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const n = ipv4ToBigint(v4);
    groups = `${text.slice(0, -v4.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros: string[] = Array.from({ length: 8 - left.length - right.length }, () => '0');
  const all = tail === undefined ? left : [...left, ...zeros, ...right];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text form: lower case, longest run of zero groups (at least two) compressed. */
function bigintToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  const left = hex.slice(0, best.start).join(':');
  const right = hex.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}
