import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { RadiusClient } from './radius-handler.js';

/**
 * Which registered NAS a datagram comes from (pure): exact addresses and CIDR blocks, IPv4 and IPv6, the most
 * specific block winning when several match. IPv4-mapped IPv6 sources (`::ffff:a.b.c.d`, what a dual-stack
 * socket reports) match IPv4 entries.
 */
export type ClientEntry = RadiusClient & { readonly cidr: string };
type Compiled = { client: RadiusClient; prefix: number; family: 'ipv4' | 'ipv6'; list: BlockList };

export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length) return null;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (!family) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family };
}

export function compileClients(entries: readonly ClientEntry[]): (address: string) => RadiusClient | null {
  const compiled: Compiled[] = [];
  for (const e of entries) {
    const c = parseCidr(e.cidr);
    if (!c || e.secret.length === 0) continue;
    const list = new BlockList();
    list.addSubnet(c.address, c.prefix, c.family);
    compiled.push({
      client: { id: e.id, name: e.name, secret: e.secret },
      prefix: c.prefix,
      family: c.family,
      list,
    });
  }
  compiled.sort((a, b) => b.prefix - a.prefix);
  return (raw) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw)?.[1];
    const address = mapped ?? raw;
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!family) return null;
    return compiled.find((c) => c.family === family && c.list.check(address, family))?.client ?? null;
  };
}
