import { defaultGateway } from '../../network-spec/network-spec.checks.js';
import {
  DEFAULT_EGRESS,
  DEFAULT_TUN_DEVICE,
  type DnnSpec,
  type EgressMode,
  type NetworkSpec,
  type UpfSpec,
} from '../../network-spec/network-spec.schema.js';
import { parseCidr } from '../../network-spec/ip-address.js';
import { upfsOf, type UserPlaneNode } from '../../network-spec/user-plane.js';
import { renderHeader } from './render.js';

/**
 * What a UPF host needs besides upf.yaml. Open5GS's UPF opens its tun devices (`ogstun`, or a session's
 * `dev:`) but on Linux never gives them an address (lib/tun/linux-setup.c `ogs_tun_set_ip` is empty), and the
 * kernel neither forwards nor NATs UE traffic by default. For each UPF this renders:
 *
 * - `50-pakawaaz-<dev>.netdev` / `.network`: systemd-networkd units creating each tun device and putting the
 *   gateway of every UE pool on it, in the form of Open5GS's own `configs/systemd/99-open5gs.net*` (the
 *   `50-` sorts before those, so ours win for a device both name);
 * - `30-pakawaaz-upf.conf`: the sysctl.d file enabling forwarding;
 * - `pakawaaz-<upf>.nft`: an nftables script with one table of its own (loading it again replaces only that
 *   table) that keeps each DNN's UEs on their device, isolates DNNs from one another, protects the host from
 *   UEs, and applies each DNN's egress (`nat`, `route`, `none`).
 *
 * Pure and deterministic, like the Open5GS renderer; every file starts with the same generated-by header.
 */

export type UpfHostFiles = { upf: string; files: Map<string, string> };

type Pool = { dnn: DnnSpec; family: 4 | 6; subnet: string; gateway: string; prefix: number };
type Device = { name: string; pools: Pool[]; mtu: number };

/** Every UPF's host files, in nf.upf order. */
export function renderUpfHostFiles(spec: NetworkSpec): UpfHostFiles[] {
  const header = renderHeader(spec);
  return upfsOf(spec).map((upf) => ({ upf: upf.name, files: upfHostFiles(upf, spec.dnns, header) }));
}

function upfHostFiles(
  upf: UserPlaneNode<UpfSpec>,
  allDnns: readonly DnnSpec[],
  header: string,
): Map<string, string> {
  const devices = devicesOf(upf.dnns);
  const files = new Map<string, string>();
  for (const device of devices) {
    files.set(`50-pakawaaz-${device.name}.netdev`, header + netdevUnit(device));
    files.set(`50-pakawaaz-${device.name}.network`, header + networkUnit(device));
  }
  files.set('30-pakawaaz-upf.conf', header + sysctlConf(devices));
  files.set(
    `pakawaaz-${upf.file}.nft`,
    header + nftScript(nftTableName(upf.file), upf.dnns, allDnns, devices),
  );
  return files;
}

/** The nftables table of a UPF: `pakawaaz_upf`, `pakawaaz_upf_<name>`. */
export function nftTableName(file: string): string {
  return `pakawaaz_${file.replace(/-/g, '_')}`;
}

export const egressOf = (dnn: DnnSpec): EgressMode => dnn.egress ?? DEFAULT_EGRESS;
const deviceOf = (dnn: DnnSpec) => dnn.device ?? DEFAULT_TUN_DEVICE;

function poolsOf(dnn: DnnSpec): Pool[] {
  return [dnn.ipv4, dnn.ipv6].flatMap((pool) => {
    if (!pool) return [];
    const r = parseCidr(pool.subnet);
    if (!r.ok) throw new Error(`schema let an invalid subnet through: ${pool.subnet}`);
    const gateway = pool.gateway ?? defaultGateway(pool.subnet);
    return [{ dnn, family: r.cidr.family, subnet: pool.subnet, gateway, prefix: r.cidr.prefix }];
  });
}

/** The tun devices in first-use order, each with the pools routed into it (as upf.yaml's `dev:` says). */
function devicesOf(dnns: readonly DnnSpec[]): Device[] {
  const devices = new Map<string, Device>();
  for (const dnn of dnns) {
    const name = deviceOf(dnn);
    const device = devices.get(name) ?? { name, pools: [], mtu: dnn.mtu };
    device.pools.push(...poolsOf(dnn));
    devices.set(name, device);
  }
  return [...devices.values()];
}

function netdevUnit(device: Device): string {
  return `[NetDev]\nName=${device.name}\nKind=tun\n`;
}

/** As 99-open5gs.network: the gateways as addresses, a route per pool, the MTU, not required for "online". */
function networkUnit(device: Device): string {
  const sections = [
    `[Match]\nName=${device.name}\n`,
    `[Network]\n${device.pools.map((p) => `Address=${p.gateway}/${p.prefix}\n`).join('')}`,
    ...device.pools.map(
      (p) => `[Route]\nGateway=${p.family === 4 ? '0.0.0.0' : '::'}\nDestination=${p.subnet}\n`,
    ),
    `[Link]\nMTUBytes=${device.mtu}\nRequiredForOnline=false\n`,
  ];
  return sections.join('\n');
}

function sysctlConf(devices: readonly Device[]): string {
  const lines = [
    '# The UPF host routes UE traffic between its tun devices and the network.',
    'net.ipv4.ip_forward=1',
  ];
  if (devices.some((d) => d.pools.some((p) => p.family === 6)))
    lines.push(
      // With forwarding on, the kernel stops acting on router advertisements; systemd-networkd handles them
      // itself (IPv6AcceptRA=), so a host configured by networkd keeps its IPv6 default route.
      '# The kernel ignores router advertisements on forwarding hosts; systemd-networkd still handles them.',
      'net.ipv6.conf.all.forwarding=1',
    );
  return `${lines.join('\n')}\n`;
}

const set = (items: readonly string[]) => (items.length === 1 ? items[0] : `{ ${items.join(', ')} }`);
const ipKey = (family: 4 | 6) => (family === 4 ? 'ip' : 'ip6');
const quoted = (name: string) => `"${name}"`;

function nftScript(
  table: string,
  dnns: readonly DnnSpec[],
  allDnns: readonly DnnSpec[],
  devices: readonly Device[],
): string {
  // Every DNN of the spec, not only this UPF's: a UPF sharing the host with another one keeps its UEs from
  // the other's UEs too (each table drops its own UEs' traffic to every other DNN).
  const allPools = allDnns.flatMap(poolsOf);
  const forward: string[] = [];
  const input: string[] = [];
  const nat: string[] = [];

  forward.push('# A UE address is only ever seen on its own device, and a device carries only its UEs.');
  for (const device of devices) {
    for (const family of [4, 6] as const) {
      const own = device.pools.filter((p) => p.family === family).map((p) => p.subnet);
      const dev = quoted(device.name);
      if (own.length === 0) forward.push(`iifname ${dev} meta nfproto ipv${family} drop`);
      else {
        forward.push(`iifname ${dev} ${ipKey(family)} saddr != ${set(own)} drop`);
        forward.push(`iifname != ${dev} ${ipKey(family)} saddr ${set(own)} drop`);
      }
    }
  }

  for (const dnn of dnns) {
    const egress = egressOf(dnn);
    const dev = quoted(deviceOf(dnn));
    forward.push(`# DNN ${dnn.name}: device ${deviceOf(dnn)}, egress ${egress}`);
    for (const pool of poolsOf(dnn)) {
      const ip = ipKey(pool.family);
      const others = allPools.filter((p) => p.dnn !== dnn && p.family === pool.family).map((p) => p.subnet);
      if (others.length > 0) forward.push(`${ip} saddr ${pool.subnet} ${ip} daddr ${set(others)} drop`);
      if (egress === 'none') {
        forward.push(`${ip} saddr ${pool.subnet} oifname != ${dev} drop`);
        forward.push(`${ip} daddr ${pool.subnet} iifname != ${dev} drop`);
      } else if (egress === 'nat') {
        // Behind NAT nothing outside may open a connection to a UE.
        forward.push(
          `${ip} daddr ${pool.subnet} iifname != ${dev} ct state != { established, related } drop`,
        );
        nat.push(`${ip} saddr ${pool.subnet} oifname != ${dev} masquerade`);
      }
    }
  }

  input.push('# UEs may ping their gateway; nothing else on this host is theirs to reach.');
  const devs = set(devices.map((d) => quoted(d.name)));
  input.push(`iifname ${devs} meta l4proto { icmp, ipv6-icmp } accept`);
  input.push(`iifname ${devs} drop`);

  const chain = (name: string, hook: string, type: string, priority: string, rules: readonly string[]) =>
    [
      `\tchain ${name} {`,
      `\t\ttype ${type} hook ${hook} priority ${priority}; policy accept;`,
      ...rules.map((r) => `\t\t${r}`),
      '\t}',
    ].join('\n');

  const chains = [
    chain('forward', 'forward', 'filter', 'filter', forward),
    chain('input', 'input', 'filter', 'filter', input),
    ...(nat.length > 0 ? [chain('postrouting', 'postrouting', 'nat', 'srcnat', nat)] : []),
  ];
  return [
    '# Load with `nft -f <this file>`: it replaces its own table and leaves every other table alone.',
    `table inet ${table}`,
    `delete table inet ${table}`,
    '',
    `table inet ${table} {`,
    chains.join('\n\n'),
    '}',
    '',
  ].join('\n');
}
