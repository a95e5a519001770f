import {
  cidrContains,
  cidrSize,
  formatIp,
  lastAddress,
  parseCidr,
  parseIp,
  type Cidr,
} from '../../network-spec/ip-address.js';

/*
 * The SMF's dynamic pool for a DNN whose spec reserves a `staticRange` for static UE addresses (IPv4 below;
 * what differs for IPv6 at dynamicRanges).
 *
 * Open5GS 2.7 reads `smf.session[].range` as a scalar or a list of up to OGS_MAX_NUM_OF_SUBNET_RANGE = 16
 * "low-high" strings (lib/pfcp/context.c ogs_pfcp_context_parse_config, key "range"; lib/pfcp/context.h) and
 * builds the pool in ogs_pfcp_ue_pool_generate: for each range, addresses from low up to, not including,
 * high + 1, skipping the subnet's network address and the gateway. A static address from the subscriber
 * document (`ue.ipv4`, lib/dbi/subscription.c) is handed out as is, with no check against the pool
 * (ogs_pfcp_ue_ip_alloc: "if assigning a static IP, do so"): unless the ranges leave the static block out, the
 * SMF can give a static subscriber's address to another UE.
 *
 * The pool arithmetic adds htobe32(inc) to the address as a host-order uint32, so on a little-endian host a
 * carry out of an octet goes the wrong way or is lost (10.45.0.255 + 1 gives 10.45.0.0). It is exact only
 * while no octet overflows: a range must start on a block boundary and stay inside that block, and `high + 1`
 * must not end in .255 + 1. Hence the dynamic pool is rendered as the CIDR blocks that make up "subnet minus
 * static block", each as `first-(last - 1)`: exact, at the price of the last address of each block (the last
 * block's is the broadcast address, excluded anyway). A static block one /k below the subnet leaves k such
 * blocks, so at most 16 levels apart (the range limit).
 */

export const MAX_SUBNET_RANGES = 16;

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`not a subnet: ${text} (${r.reason})`);
  return r.cidr;
}

/** The CIDR blocks of `subnet` outside `reserved` (which lies inside it), lowest first. */
export function complementBlocks(subnet: Cidr, reserved: Cidr): Cidr[] {
  const blocks: Cidr[] = [];
  let current = subnet;
  while (current.prefix < reserved.prefix) {
    const prefix = current.prefix + 1;
    const half = cidrSize({ ...current, prefix });
    const low: Cidr = { family: current.family, network: current.network, prefix };
    const high: Cidr = { family: current.family, network: current.network + half, prefix };
    const [keep, other] = cidrContains(low, { family: reserved.family, value: reserved.network })
      ? [low, high]
      : [high, low];
    blocks.push(other);
    current = keep;
  }
  return blocks.sort((a, b) => (a.network < b.network ? -1 : 1));
}

/** One UE's share of an IPv6 subnet: Open5GS hands each UE a whole /64 (see dynamicRanges). */
export const IPV6_UE_PREFIX = 64;
const V6_UNIT = 1n << BigInt(128 - IPV6_UE_PREFIX);

/**
 * The `range:` entries that give the SMF every address of `subnet` outside `staticRange` (less one per block,
 * see above). Both CIDRs of one family, checked by the spec validator (dnn-checks.ts): the static block inside
 * the subnet and at most 16 levels below it; no longer than /30 (IPv4) or /64 (IPv6).
 *
 * IPv6 works in /64s: ogs_pfcp_ue_pool_generate gives an AF_INET6 subnet `maxbytes = 8` ("Default Prefixlen
 * 64bits") and `lastindex = 1`, so it reads only the first 64 bits of `low` and `high`, counts with
 * `addr[1] += htobe32(inc)` (bits 32-63, with the same octet-carry flaw as IPv4) and, per entry, sets the
 * interface identifier to the counter ("Allocate Full IPv6 Address"): each pool entry is one /64, whose
 * prefix the SMF advertises to the UE (src/smf/gtp-path.c send_router_advertisement, prefix length
 * OGS_IPV6_DEFAULT_PREFIX_LEN = 64). A block of /64s is rendered `first::-(last - 1)::`: exact for the same
 * reason as IPv4, at the price of the block's last /64. A one-/64 block would render empty and is left out.
 */
export function dynamicRanges(subnet: string, staticRange: string): string[] {
  const s = cidr(subnet);
  const reserved = cidr(staticRange);
  const blocks = complementBlocks(s, reserved);
  if (blocks.length > MAX_SUBNET_RANGES)
    throw new Error(
      `${staticRange} in ${subnet} needs ${blocks.length} ranges; Open5GS takes ${MAX_SUBNET_RANGES}`,
    );
  const step = s.family === 4 ? 1n : V6_UNIT;
  return blocks.flatMap((b) => {
    const high = lastAddress(b) + 1n - 2n * step;
    if (high < b.network) return [];
    const text = (value: bigint) => formatIp({ family: b.family, value });
    return [`${text(b.network)}-${text(high)}`];
  });
}

/**
 * How many UEs the rendered pool of `dynamicRanges(subnet, staticRange)` serves: its addresses (IPv4) or /64s
 * (IPv6) less the network's and the gateway's, which ogs_pfcp_ue_pool_generate skips ("Exclude Network
 * Address", "Exclude TUN IP Address"; for IPv6 it compares the first 64 bits, so their whole /64s).
 * ogs_pfcp_find_subnet_by_dnn picks a subnet only while `pool.avail` is non-zero, and ogs_pfcp_ue_ip_alloc
 * looks the subnet up before it takes a static address: an empty dynamic pool refuses static UEs too.
 */
export function dynamicPoolSize(subnet: string, gateway: string, staticRange: string): bigint {
  const s = cidr(subnet);
  const step = s.family === 4 ? 1n : V6_UNIT;
  const unit = (value: bigint) => value / step;
  const at = (text: string) => unit(parseIp(text)?.value ?? -step);
  const ranges = dynamicRanges(subnet, staticRange).map((r) => r.split('-').map(at) as [bigint, bigint]);
  const skipped = new Set([unit(s.network), at(gateway)]);
  let size = 0n;
  for (const [low, high] of ranges) {
    size += high - low + 1n;
    for (const u of skipped) if (u >= low && u <= high) size -= 1n;
  }
  return size;
}

/**
 * The /64s an IPv6 pool hands out dynamically. With a static block, those of its rendered `range:` entries
 * (dynamicPoolSize). Without one, ogs_pfcp_ue_pool_generate walks the subnet from its first /64 and stops at
 * `end`, which is the subnet's broadcast address compared on its first 64 bits — so the last /64 is never
 * given — and skips the network's and the gateway's /64. A /64 or a /63 therefore holds none: no UE gets an
 * IPv6 address there, not even a static one (ogs_pfcp_find_subnet_by_dnn wants a non-empty pool).
 */
export function ipv6DynamicPrefixes(subnet: string, gateway: string, staticRange?: string): bigint {
  if (staticRange !== undefined) return dynamicPoolSize(subnet, gateway, staticRange);
  const s = cidr(subnet);
  if (s.prefix > IPV6_UE_PREFIX) return 0n;
  const units = 1n << BigInt(IPV6_UE_PREFIX - s.prefix);
  const unitOf = (value: bigint) => (value - s.network) / V6_UNIT;
  const gw = parseIp(gateway)?.value;
  const skipped = new Set(
    [0n, ...(gw === undefined ? [] : [unitOf(gw)])].filter((u) => u >= 0n && u < units - 1n),
  );
  const usable = units - 1n - BigInt(skipped.size);
  return usable > 0n ? usable : 0n;
}
