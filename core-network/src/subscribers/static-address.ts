import { cidrContains, formatIp, lastAddress, parseCidr, parseIp } from '../network-spec/ip-address.js';
import { defaultGateway } from '../network-spec/network-spec.checks.js';
import type { NetworkSpec } from '../network-spec/network-spec.js';
import { staticIpv4Dnn, staticIpv6Dnn } from '../open5gs/subscribers/subscriber-document.js';
import { coreNetworkError } from '../core-network.errors.js';
import type { SubscriberProfile } from './profile.js';

/**
 * Whether a subscriber's static IPv4 address is one Open5GS can honour, against the running network spec.
 * Open5GS checks none of this: the UDR/HSS pass `ue.ipv4` from the subscriber document to the SMF, which uses
 * it as is (lib/pfcp/context.c ogs_pfcp_ue_ip_alloc, "if assigning a static IP, do so") without looking at
 * the DNN's subnet, the gateway or the other UEs. So the address must be
 * - on a DNN the spec serves: the default DNN of the default slice (see staticIpv4Dnn: where the subscriber
 *   document writes it, src/hss/hss-s6a-path.c and src/udr/nudr-handler.c read it from there);
 * - inside that DNN's `ipv4.staticRange`, the block the SMF's dynamic pool leaves out (open5gs/config/ue-pool.ts),
 *   so no dynamically addressed UE can get it; the spec checks keep that block inside the subnet and clear of
 *   the network, broadcast and gateway addresses, and this re-checks them for a clear message;
 * - unique across subscribers (the database's unique index; the service names the holder).
 * Pure: returns what is wrong, or null.
 */
export function staticIpv4Problem(
  address: string,
  profile: SubscriberProfile,
  spec: NetworkSpec,
): string | null {
  const ip = parseIp(address);
  if (ip?.family !== 4) return `${address} is not an IPv4 address`;
  const dnnName = staticIpv4Dnn(profile);
  if (dnnName === null)
    return 'the profile has no IPv4 or IPv4v6 session in its default slice to carry a static IPv4 address';
  const dnn = spec.dnns.find((d) => d.name.toLowerCase() === dnnName.toLowerCase());
  if (!dnn) return `the profile's default DNN ${dnnName} is not in the running network spec`;
  const subnetResult = parseCidr(dnn.ipv4.subnet);
  if (!subnetResult.ok) return `DNN ${dnn.name} has an unreadable subnet`;
  const subnet = subnetResult.cidr;
  if (!cidrContains(subnet, ip))
    return `${address} is outside the subnet ${dnn.ipv4.subnet} of DNN ${dnn.name}, where the profile's static address goes`;
  const gateway = dnn.ipv4.gateway ?? defaultGateway(dnn.ipv4.subnet);
  if (ip.value === subnet.network) return `${address} is the network address of ${dnn.ipv4.subnet}`;
  if (ip.value === lastAddress(subnet)) return `${address} is the broadcast address of ${dnn.ipv4.subnet}`;
  if (address === gateway || parseIp(gateway)?.value === ip.value)
    return `${address} is the gateway of DNN ${dnn.name}`;
  const block = dnn.ipv4.staticRange === undefined ? null : parseCidr(dnn.ipv4.staticRange);
  if (block === null)
    return `DNN ${dnn.name} reserves no block for static addresses: add dnns[].ipv4.staticRange to the network spec (the SMF would otherwise hand ${address} to another UE too)`;
  if (!block.ok || !cidrContains(block.cidr, ip))
    return `${address} is outside DNN ${dnn.name}'s static block ${dnn.ipv4.staticRange}: only addresses there are kept out of the dynamic pool`;
  return null;
}

/**
 * The /64 a static IPv6 address stands for, as `prefix::/64`. Open5GS gives a UE a whole /64, static or not:
 * the SMF advertises the first 64 bits of the UE's address as an on-link /64 (src/smf/gtp-path.c
 * send_router_advertisement, OGS_IPV6_DEFAULT_PREFIX_LEN = 64) and sends the low 64 bits as its interface
 * identifier (src/smf/gsm-build.c, PDU address); the SMF and UPF index sessions by the first 64 bits
 * alone (src/smf/context.c smf_sess_set_ue_ip, src/upf/context.c upf_sess_set_ue_ip: `ipv6_hash` keyed on
 * OGS_IPV6_DEFAULT_PREFIX_LEN >> 3 bytes), so a second UE in the same /64 takes over the first one's
 * downlink (upf_sess_find_by_ipv6). So a /64 is what two static IPv6 addresses must not share. Null when
 * the text is not an IPv6 address.
 */
export function ipv6Prefix64(address: string): string | null {
  const ip = parseIp(address);
  if (ip?.family !== 6) return null;
  return `${formatIp({ family: 6, value: (ip.value >> 64n) << 64n })}/64`;
}

/** An IPv6 address in the canonical form it is stored, compared and written to Open5GS in (RFC 5952). */
export function canonicalIpv6(address: string): string {
  const ip = parseIp(address);
  return ip?.family === 6 ? formatIp(ip) : address;
}

/**
 * Whether a subscriber's static IPv6 address is one Open5GS can honour, against the running network spec.
 * As for IPv4, Open5GS checks nothing: the UDR passes `ue.ipv6` (lib/dbi/subscription.c, parsed with
 * ogs_ipsubnet and copied as 16 bytes; src/udr/nudr-handler.c sends it as staticIpAddress.ipv6Addr) and
 * ogs_pfcp_ue_ip_alloc (lib/pfcp/context.c) takes any non-zero address as is. Open5GS's unit is the /64:
 * the UE is given the address's /64 as its prefix and the low 64 bits as its interface identifier (see
 * ipv6Prefix64). So the address must be
 * - on the first IPv6-capable session (IPv6 or IPv4v6) of the default slice (staticIpv6Dnn), whose DNN the
 *   running spec serves with an IPv6 subnet (without one the SMF turns an IPv4v6 session into IPv4 only,
 *   src/smf/context.c smf_sess_set_ue_ip, and an IPv6 one finds no subnet);
 * - inside that subnet's `ipv6.staticRange`, the /64s the dynamic pool leaves out (open5gs/config/ue-pool.ts),
 *   which the spec checks keep clear of the network's and the gateway's /64; re-checked here for a clear
 *   message (ogs_pfcp_ue_pool_generate skips those /64s: "Exclude Network Address", "Exclude TUN IP Address");
 * - not interface identifier 0: the dynamic pool never hands it out (its identifiers count from 1) and
 *   prefix::0 is the subnet-router anycast address (RFC 4291 §2.6.1);
 * - alone in its /64 across subscribers (the service checks, a unique index backs it).
 * Pure: returns what is wrong, or null.
 */
export function staticIpv6Problem(
  address: string,
  profile: SubscriberProfile,
  spec: NetworkSpec,
): string | null {
  const ip = parseIp(address);
  if (ip?.family !== 6) return `${address} is not an IPv6 address`;
  const dnnName = staticIpv6Dnn(profile);
  if (dnnName === null)
    return 'the profile has no IPv6 or IPv4v6 session in its default slice to carry a static IPv6 address';
  const dnn = spec.dnns.find((d) => d.name.toLowerCase() === dnnName.toLowerCase());
  if (!dnn) return `the profile's default IPv6 DNN ${dnnName} is not in the running network spec`;
  if (!dnn.ipv6) return `DNN ${dnn.name} has no IPv6 subnet in the running network spec`;
  const subnetResult = parseCidr(dnn.ipv6.subnet);
  if (!subnetResult.ok) return `DNN ${dnn.name} has an unreadable IPv6 subnet`;
  const subnet = subnetResult.cidr;
  if (!cidrContains(subnet, ip))
    return `${address} is outside the IPv6 subnet ${dnn.ipv6.subnet} of DNN ${dnn.name}, where the profile's static address goes`;
  const prefix = ipv6Prefix64(address)!;
  const gateway = dnn.ipv6.gateway ?? defaultGateway(dnn.ipv6.subnet);
  if (prefix === ipv6Prefix64(formatIp({ family: 6, value: subnet.network })))
    return `${address} is in ${prefix}, the network /64 of ${dnn.ipv6.subnet}, which Open5GS keeps off UEs`;
  if (prefix === ipv6Prefix64(gateway))
    return `${address} is in ${prefix}, the /64 of DNN ${dnn.name}'s gateway ${gateway}, which Open5GS keeps off UEs`;
  if ((ip.value & ((1n << 64n) - 1n)) === 0n)
    return `${address} has interface identifier 0 (the subnet-router anycast address of ${prefix}); use e.g. ${formatIp({ family: 6, value: ip.value + 1n })}`;
  const block = dnn.ipv6.staticRange === undefined ? null : parseCidr(dnn.ipv6.staticRange);
  if (block === null)
    return `DNN ${dnn.name} reserves no IPv6 block for static addresses: add dnns[].ipv6.staticRange to the network spec (the SMF would otherwise hand ${prefix} to another UE too)`;
  if (!block.ok || !cidrContains(block.cidr, ip))
    return `${address} is outside DNN ${dnn.name}'s IPv6 static block ${dnn.ipv6.staticRange}: only /64s there are kept out of the dynamic pool`;
  return null;
}

/** A subscriber whose static address a change would leave unusable, and why (one entry per address). */
export type StrandedAddress = {
  imsi: string;
  displayName: string;
  staticIpv4?: string;
  staticIpv6?: string;
  problem: string;
};

/**
 * The subscribers whose static addresses would no longer be honoured after a spec or profile change: the
 * address left its DNN's static block, or the profile's default DNN moved to one without it. Pure.
 */
export function strandedAddresses(
  rows: readonly {
    imsi: string;
    displayName: string;
    staticIpv4: string | null;
    staticIpv6?: string | null;
    profile: SubscriberProfile;
  }[],
  spec: NetworkSpec,
): StrandedAddress[] {
  return rows.flatMap((r) => {
    const who = { imsi: r.imsi, displayName: r.displayName };
    const v4 = r.staticIpv4 === null ? null : staticIpv4Problem(r.staticIpv4, r.profile, spec);
    const v6 = (r.staticIpv6 ?? null) === null ? null : staticIpv6Problem(r.staticIpv6!, r.profile, spec);
    return [
      ...(v4 === null ? [] : [{ ...who, staticIpv4: r.staticIpv4!, problem: v4 }]),
      ...(v6 === null ? [] : [{ ...who, staticIpv6: r.staticIpv6!, problem: v6 }]),
    ];
  });
}

/** One line per subscriber, by name and IMSI, the first `limit` of them. */
export function strandedLines(stranded: readonly StrandedAddress[], limit = 20): string {
  const lines = stranded.slice(0, limit).map((s) => `${s.displayName} (IMSI ${s.imsi}): ${s.problem}`);
  if (stranded.length > limit) lines.push(`… and ${stranded.length - limit} more`);
  return lines.join('\n');
}

/** Named by the holder's name and IMSI: every caller of a change is a national operator who may see both. */
export const staticIpInUse = (address: string, holder: { imsi: string; displayName: string }) =>
  coreNetworkError(
    'static_ip_in_use',
    `${address} is already the static address of ${holder.displayName} (IMSI ${holder.imsi}): free it there or pick another address.`,
    { staticIpv4: address, imsi: holder.imsi, displayName: holder.displayName },
  );

/** The same for IPv6, where the unit is the /64 (ipv6Prefix64): the holder's address may differ from this one. */
export const staticIpv6InUse = (
  address: string,
  holder: { imsi: string; displayName: string; staticIpv6: string | null },
) =>
  coreNetworkError(
    'static_ip_in_use',
    `${address} is in ${ipv6Prefix64(address)}, the /64 of ${holder.displayName}'s static address ${holder.staticIpv6} (IMSI ${holder.imsi}); Open5GS gives each UE a whole /64, so two cannot share one: pick an address in another /64.`,
    {
      staticIpv6: address,
      prefix: ipv6Prefix64(address),
      imsi: holder.imsi,
      displayName: holder.displayName,
      holderStaticIpv6: holder.staticIpv6,
    },
  );

/** PostgreSQL unique_violation (23505) on this constraint, anywhere in the cause chain (drizzle wraps it). */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { code, constraint: name, cause } = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (code === '23505' && (name === constraint || String((e as Error).message).includes(constraint)))
      return true;
    e = cause;
  }
  return false;
}
