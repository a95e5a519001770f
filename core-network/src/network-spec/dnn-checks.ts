import {
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIp,
  lastAddress,
  parseCidr,
  parseIp,
  type Cidr,
} from './ip-address.js';
import {
  dynamicPoolSize,
  ipv6DynamicPrefixes,
  IPV6_UE_PREFIX,
  MAX_SUBNET_RANGES,
} from '../open5gs/config/ue-pool.js';
import { firstSeen, sliceKey, sliceLabel, type Findings } from './check-support.js';
import type { DnnSpec, NetworkSpec } from './network-spec.schema.js';

/** Checks of the DNNs: slice references, UE pools (form, gateway, capacity, overlap) and DNS. */

/**
 * Open5GS keeps at most 16 UE subnets, IPv4 and IPv6 together: lib/pfcp/context.h OGS_MAX_NUM_OF_SUBNET sizes
 * the subnet pool and ogs_pfcp_context_parse_config() asserts when ogs_pfcp_subnet_add() finds it empty.
 */
const MAX_SUBNETS = 16;
const RESERVED_V4: readonly [string, string][] = [
  ['0.0.0.0/8', '"this network"'],
  ['127.0.0.0/8', 'loopback, where Open5GS NFs listen by default'],
  ['169.254.0.0/16', 'link-local'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

export function checkDnn(spec: NetworkSpec, dnn: DnnSpec, i: number, f: Findings): void {
  const declared = new Set(spec.slices.map(sliceKey));
  const known = spec.slices.map(sliceLabel).join(', ');
  dnn.slices.forEach((ref, j) => {
    if (!declared.has(sliceKey(ref)))
      f.error(
        `dnns[${i}].slices[${j}]`,
        `slice ${sliceLabel(ref)} is not declared in slices (declared: ${known})`,
      );
  });
  firstSeen(dnn.slices, sliceKey, (j, first) =>
    f.error(`dnns[${i}].slices[${j}]`, `slice listed twice (first at dnns[${i}].slices[${first}])`),
  );
  checkPool(dnn.ipv4, `dnns[${i}].ipv4`, f);
  checkStaticRange(dnn.ipv4, `dnns[${i}].ipv4`, f);
  if (dnn.ipv6) checkPool(dnn.ipv6, `dnns[${i}].ipv6`, f);
  if (dnn.ipv6) checkStaticRange(dnn.ipv6, `dnns[${i}].ipv6`, f);
  checkCapacity(spec, dnn, i, f);
  checkDns(dnn, i, f);
}

function cidrOf(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`schema let an invalid subnet through: ${text}`);
  return r.cidr;
}

function checkPool(pool: { subnet: string; gateway?: string | undefined }, path: string, f: Findings): void {
  const subnet = cidrOf(pool.subnet);
  if (subnet.family === 4) {
    const reserved = RESERVED_V4.find(([range]) => cidrsOverlap(cidrOf(range), subnet));
    if (reserved) f.error(`${path}.subnet`, `${pool.subnet} overlaps ${reserved[0]} (${reserved[1]})`);
    if (subnet.prefix > 30)
      f.error(`${path}.subnet`, `${pool.subnet} is too small for a UE pool; use /30 or larger`);
  } else if (subnet.prefix > IPV6_UE_PREFIX) {
    f.error(`${path}.subnet`, `${pool.subnet}: each UE gets a /64, so use a /64 or larger`);
  }
  if (pool.gateway === undefined) return;
  const gw = parseIp(pool.gateway);
  if (!gw || !cidrContains(subnet, gw)) {
    f.error(`${path}.gateway`, `${pool.gateway} is outside subnet ${pool.subnet}`);
  } else if (gw.value === subnet.network) {
    f.error(
      `${path}.gateway`,
      `${pool.gateway} is the network address of ${pool.subnet}; use a host address`,
    );
  } else if (subnet.family === 4 && gw.value === lastAddress(subnet)) {
    f.error(
      `${path}.gateway`,
      `${pool.gateway} is the broadcast address of ${pool.subnet}; use a host address`,
    );
  }
}

/**
 * The block kept for static addresses (see open5gs/config/ue-pool.ts for how the SMF's `range:` leaves it out):
 * inside the subnet and smaller than it, clear of the network, broadcast and gateway addresses, at most /30
 * and at most 16 prefix bits below the subnet (Open5GS takes 16 ranges, OGS_MAX_NUM_OF_SUBNET_RANGE in
 * lib/pfcp/context.h, and the pool outside a /k-deeper block is k ranges).
 * IPv6 in /64s: at most /64, clear of the network's and the gateway's /64 (ogs_pfcp_ue_pool_generate compares
 * only the first 64 bits of an IPv6 pool entry with them); IPv6 has no broadcast address. Either family must
 * leave the dynamic pool at least one entry: the SMF refuses even static UEs on a DNN whose pool is empty.
 */
function checkStaticRange(
  pool: { subnet: string; gateway?: string | undefined; staticRange?: string | undefined },
  path: string,
  f: Findings,
): void {
  if (pool.staticRange === undefined) return;
  const subnet = cidrOf(pool.subnet);
  const block = cidrOf(pool.staticRange);
  const at = `${path}.staticRange`;
  const v6 = subnet.family === 6;
  if (!cidrsOverlap(subnet, block) || block.prefix <= subnet.prefix) {
    f.error(at, `${pool.staticRange} must be a smaller block inside subnet ${pool.subnet}`);
    return;
  }
  if (!v6 && block.prefix > 30) f.error(at, `${pool.staticRange} is too small; use /30 or larger`);
  if (v6 && block.prefix > IPV6_UE_PREFIX) {
    f.error(at, `${pool.staticRange} is smaller than the /64 Open5GS gives each UE; use a /64 or larger`);
    return;
  }
  if (block.prefix - subnet.prefix > MAX_SUBNET_RANGES)
    f.error(
      at,
      `${pool.staticRange} is ${block.prefix - subnet.prefix} prefix bits below ${pool.subnet}, which leaves more than the ${MAX_SUBNET_RANGES} dynamic ranges Open5GS accepts; use a /${subnet.prefix + MAX_SUBNET_RANGES} or larger`,
    );
  const gateway = pool.gateway ?? defaultGateway(pool.subnet);
  const unit = (value: bigint) => (v6 ? (value >> 64n) << 64n : value);
  const reserved: [bigint, string][] = [
    [subnet.network, v6 ? 'the network /64' : 'the network address'],
    ...(v6 ? [] : [[lastAddress(subnet), 'the broadcast address'] as [bigint, string]]),
    [
      unit(parseIp(gateway)?.value ?? -1n),
      v6 ? `the /64 of the gateway ${gateway}` : `the gateway ${gateway}`,
    ],
  ];
  for (const [value, what] of reserved)
    if (cidrContains(block, { family: subnet.family, value }))
      f.error(at, `${pool.staticRange} contains ${what} of ${pool.subnet}; move it clear of it`);
  if (!f.errors.some((e) => e.path === at) && dynamicPoolSize(pool.subnet, gateway, pool.staticRange) === 0n)
    f.error(
      at,
      `${pool.staticRange} leaves the dynamic pool of ${pool.subnet} empty; Open5GS then refuses static UEs too`,
    );
}

/** The address an Open5GS UE pool uses as its gateway when the spec names none: the first host. */
export function defaultGateway(subnet: string): string {
  const c = cidrOf(subnet);
  return formatIp({ family: c.family, value: c.network + 1n });
}

/** UE addresses in an IPv4 pool: all but network, broadcast and gateway. */
export function ipv4PoolCapacity(subnet: string): number {
  return Math.max(0, Number(cidrSize(cidrOf(subnet))) - 3);
}

function checkCapacity(spec: NetworkSpec, dnn: DnnSpec, i: number, f: Findings): void {
  const expected = dnn.expectedUes ?? spec.expectedUeCount;
  if (dnn.expectedUes !== undefined && dnn.expectedUes > spec.expectedUeCount)
    f.error(
      `dnns[${i}].expectedUes`,
      `${dnn.expectedUes} is more than expectedUeCount (${spec.expectedUeCount})`,
    );
  const capacity = ipv4PoolCapacity(dnn.ipv4.subnet);
  if (capacity < expected) {
    const needed = 32 - Math.ceil(Math.log2(expected + 3));
    const source = dnn.expectedUes === undefined ? 'expectedUeCount' : `dnns[${i}].expectedUes`;
    f.error(
      `dnns[${i}].ipv4.subnet`,
      `${dnn.ipv4.subnet} holds ${capacity.toLocaleString('en')} UE addresses but ${expected.toLocaleString('en')} UEs are expected (${source}); use a /${needed} or larger`,
    );
  }
  if (!dnn.ipv6) return;
  const v6 = cidrOf(dnn.ipv6.subnet);
  const gateway = dnn.ipv6.gateway ?? defaultGateway(dnn.ipv6.subnet);
  let prefixes: bigint;
  try {
    prefixes = ipv6DynamicPrefixes(dnn.ipv6.subnet, gateway, dnn.ipv6.staticRange);
  } catch {
    return; // a static block the range checks refuse already
  }
  // Each UE takes a whole /64; Open5GS never gives the network's, the gateway's or the last /64.
  if (prefixes === 0n || prefixes < BigInt(expected)) {
    const needed = Math.min(IPV6_UE_PREFIX - 2, IPV6_UE_PREFIX - Math.ceil(Math.log2(expected + 3)));
    f.error(
      `dnns[${i}].ipv6.subnet`,
      `${formatCidr(v6)} gives UEs ${prefixes.toLocaleString('en')} /64 prefixes (Open5GS skips the network's, the gateway's and the last /64${dnn.ipv6.staticRange ? ', and the static block' : ''}) but ${expected.toLocaleString('en')} UEs are expected; use a /${needed} or larger`,
    );
  }
}

function checkDns(dnn: DnnSpec, i: number, f: Findings): void {
  const perFamily = { 4: 0, 6: 0 };
  firstSeen(dnn.dns, String, (k, first) =>
    f.error(`dnns[${i}].dns[${k}]`, `listed twice (first at dns[${first}])`),
  );
  dnn.dns.forEach((server, k) => {
    const family = parseIp(server)?.family ?? 4;
    perFamily[family] += 1;
    // src/smf/context.c `dns`: a primary and a secondary per family; the rest only logs "Ignore DNS".
    if (perFamily[family] > 2)
      f.error(
        `dnns[${i}].dns[${k}]`,
        `Open5GS uses only two IPv${family} DNS servers (primary, secondary); remove ${server}`,
      );
  });
}

type Pool = { path: string; cidr: Cidr; dnn: string };

export function checkOverlaps(spec: NetworkSpec, f: Findings): void {
  const pools: Pool[] = spec.dnns.flatMap((d, i) => [
    { path: `dnns[${i}].ipv4.subnet`, cidr: cidrOf(d.ipv4.subnet), dnn: d.name },
    ...(d.ipv6 ? [{ path: `dnns[${i}].ipv6.subnet`, cidr: cidrOf(d.ipv6.subnet), dnn: d.name }] : []),
  ]);
  pools.forEach((pool, j) => {
    const earlier = pools.slice(0, j).find((p) => cidrsOverlap(p.cidr, pool.cidr));
    if (earlier)
      f.error(
        pool.path,
        `${formatCidr(pool.cidr)} overlaps ${earlier.path} ${formatCidr(earlier.cidr)} (${earlier.dnn})`,
      );
  });
  if (pools.length > MAX_SUBNETS)
    f.error('dnns', `${pools.length} UE subnets (IPv4 + IPv6); Open5GS supports at most ${MAX_SUBNETS}`);
}

/** Open5GS 2.7 has one `smf.dns` list and one `smf.mtu` for every DNN: a per-DNN difference cannot be honoured. */
export function checkSharedSmfSettings(spec: NetworkSpec, f: Findings): void {
  const [first, ...rest] = spec.dnns;
  if (!first) return;
  rest.forEach((dnn, k) => {
    const i = k + 1;
    if (dnn.dns.join(',') !== first.dns.join(','))
      f.error(
        `dnns[${i}].dns`,
        `Open5GS 2.7 applies one DNS list to every DNN (smf.dns): ${dnn.dns.join(', ')} differs from dnns[0].dns ${first.dns.join(', ')}; make them identical`,
      );
    if (dnn.mtu !== first.mtu)
      f.error(
        `dnns[${i}].mtu`,
        `Open5GS 2.7 applies one MTU to every DNN (smf.mtu): ${dnn.mtu} differs from dnns[0].mtu ${first.mtu}`,
      );
  });
}
