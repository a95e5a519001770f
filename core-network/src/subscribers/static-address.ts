import { cidrContains, lastAddress, parseCidr, parseIp } from '../network-spec/ip-address.js';
import { defaultGateway } from '../network-spec/network-spec.checks.js';
import type { NetworkSpec } from '../network-spec/network-spec.js';
import { staticIpv4Dnn } from '../open5gs/subscribers/subscriber-document.js';
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

/** A subscriber whose static address a change would leave unusable, and why. */
export type StrandedAddress = { imsi: string; displayName: string; staticIpv4: string; problem: string };

/**
 * The subscribers whose static addresses would no longer be honoured after a spec or profile change: the
 * address left its DNN's static block, or the profile's default DNN moved to one without it. Pure.
 */
export function strandedAddresses(
  rows: readonly { imsi: string; displayName: string; staticIpv4: string; profile: SubscriberProfile }[],
  spec: NetworkSpec,
): StrandedAddress[] {
  return rows.flatMap((r) => {
    const problem = staticIpv4Problem(r.staticIpv4, r.profile, spec);
    return problem === null
      ? []
      : [{ imsi: r.imsi, displayName: r.displayName, staticIpv4: r.staticIpv4, problem }];
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
