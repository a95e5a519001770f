import { isIP } from 'node:net';
import { z } from 'zod';
import { parseCidr, parseIp } from './ip-address.js';

// The network spec's field types (host names, ports, addresses, PLMN, slices, DNN names): network-spec.schema.ts
// composes them into the spec.

export const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
// TS 23.003 §9.1: APN/DNN network identifier labels; at most 63 octets.
export const DNN =
  /^(?=.{1,63}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export const STANDARD_PORTS = {
  sbi: 7777,
  metrics: 9090,
  ngap: 38412,
  s1ap: 36412,
  pfcp: 8805,
  gtpc: 2123,
  gtpu: 2152,
} as const;
export type InterfaceKind = keyof typeof STANDARD_PORTS;

export const Host = z
  .string()
  .refine(
    (v) => isIP(v) !== 0 || HOSTNAME.test(v),
    'expected an IPv4 address, an IPv6 address or a host name',
  );
export const Port = z.number().int().min(1, 'ports are 1-65535').max(65535, 'ports are 1-65535');
export const IpLiteral = z.string().refine((v) => parseIp(v) !== null, 'expected an IPv4 or IPv6 address');

export const endpoint = (address: string, kind: InterfaceKind) =>
  z.strictObject({ address: Host.default(address), port: Port.default(STANDARD_PORTS[kind]) }).prefault({});

/**
 * The address peers are told to use when it is not the bound one (NAT, containers): Open5GS 2.7's `advertise:`
 * of an SBI, PFCP or GTP-U server. Open5GS resolves a host name once, at start-up, on the NF's own host.
 */
export const Advertise = Host.optional();
/** An SBI server: Open5GS splits `advertise` at its first colon (host:port), so an IPv6 literal cannot work. */
export const SbiAdvertise = Host.refine(
  (v) => isIP(v) !== 6,
  'Open5GS reads an SBI advertise as host[:port] (lib/sbi/context.c), so use an IPv4 address or a host name',
).optional();

export const advertisedEndpoint = (address: string, kind: 'sbi' | 'pfcp' | 'gtpu') =>
  z
    .strictObject({
      address: Host.default(address),
      port: Port.default(STANDARD_PORTS[kind]),
      advertise: kind === 'sbi' ? SbiAdvertise : Advertise,
    })
    .prefault({});

export const cidrOf = (family: 4 | 6) =>
  z.string().superRefine((v, ctx) => {
    const r = parseCidr(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
    else if (r.cidr.family !== family)
      ctx.addIssue({ code: 'custom', message: `expected an IPv${family} subnet, got ${v}` });
  });

export const addressOf = (family: 4 | 6) =>
  z.string().refine((v) => parseIp(v)?.family === family, `expected an IPv${family} address`);

export const Mcc = z
  .string()
  .regex(/^\d{3}$/, "MCC must be exactly 3 digits, leading zeros included; quote it: mcc: '001'");
export const Mnc = z.string().superRefine((v, ctx) => {
  if (!/^\d+$/.test(v)) ctx.addIssue({ code: 'custom', message: 'MNC must be 2 or 3 digits, e.g. "01"' });
  // The length is part of the identity (01 and 001 are different networks): never pad or trim.
  else if (v.length < 2 || v.length > 3)
    ctx.addIssue({
      code: 'custom',
      message:
        v.length < 2
          ? `MNC must be 2 or 3 digits, got "${v}"; if you meant 0${v}, write the leading zero and quote it: mnc: '0${v}'`
          : `MNC must be 2 or 3 digits, got ${v.length} ("${v}")`,
    });
});

export const Sst = z.number().int().min(1, 'SST must be 1-255').max(255, 'SST must be 1-255');
export const Sd = z
  .string()
  .regex(/^[0-9a-fA-F]{6}$/, 'SD must be exactly 6 hex digits, e.g. "000001"')
  .refine((v) => v.toLowerCase() !== 'ffffff', 'SD ffffff means "no SD" (TS 23.003 §28.4.2); omit sd instead')
  .toLowerCase();

export const SliceRefSchema = z.strictObject({ sst: Sst, sd: Sd.optional() });
export const Slice = z.strictObject({
  sst: Sst,
  sd: Sd.optional(),
  name: z.string().min(1).max(64).optional(),
});

// Open5GS encodes each byte of the name as one UCS-2 code unit, so only ASCII comes out right.
export const NetworkName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x20-\x7e]+$/, 'use printable ASCII characters only (Open5GS sends each byte as UCS-2)');

/**
 * The UPF's tun device for a DNN. The rendered networkd units claim it and the nftables script confines it
 * to its UEs, so it must be a device of its own: never loopback or a name the host's own interfaces use
 * (eth0, enp1s0, wlan0, bonds, bridges, VLANs…), which would lock the host out.
 */
export const HOST_INTERFACE = /^(lo|eth|en|wl|ww|ib|bond|br|vlan|veth|virbr|docker|tap|team|dummy)/i;
export const Device = z
  .string()
  .regex(/^[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,14}$/, 'a Linux interface name of at most 15 characters')
  .refine(
    (v) => !HOST_INTERFACE.test(v),
    'use a tun device of its own, e.g. ogsgov: names like lo, eth0, enp1s0, wlan0, br0 or bond0 are the host’s interfaces',
  );
export const DnnName = z
  .string()
  .regex(DNN, 'a DNN is dot-separated labels of letters, digits and hyphens, at most 63 characters');
export const Tac = z
  .number()
  .int()
  .min(0, 'TAC must be 0-16777215 (24 bits)')
  .max(16_777_215, 'TAC must be 0-16777215 (24 bits)');
