import {
  cidrContains,
  cidrSize,
  formatIp,
  lastAddress,
  parseCidr,
  type Cidr,
} from '../../network-spec/ip-address.js';

/*
 * The SMF's dynamic IPv4 pool for a DNN whose spec reserves a `staticRange` for static UE addresses.
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

/**
 * The `range:` entries that give the SMF every address of `subnet` outside `staticRange` (less one per block,
 * see above). Both IPv4 CIDRs, checked by the spec validator (dnn-checks.ts): the static block inside the
 * subnet, at most 16 levels below it and no longer than /30.
 */
export function dynamicRanges(subnet: string, staticRange: string): string[] {
  const s = cidr(subnet);
  const reserved = cidr(staticRange);
  const blocks = complementBlocks(s, reserved);
  if (blocks.length > MAX_SUBNET_RANGES)
    throw new Error(
      `${staticRange} in ${subnet} needs ${blocks.length} ranges; Open5GS takes ${MAX_SUBNET_RANGES}`,
    );
  return blocks.map(
    (b) =>
      `${formatIp({ family: b.family, value: b.network })}-${formatIp({ family: b.family, value: lastAddress(b) - 1n })}`,
  );
}
