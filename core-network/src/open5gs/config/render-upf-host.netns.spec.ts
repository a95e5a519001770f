import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nftTableName, renderUpfHostFiles } from './render-upf-host.js';
import { demoWith, readUnit } from './upf-host-test-support.js';

/*
 * The rendered UPF host files applied for real, inside a network namespace of the test's own: the networkd
 * units through their `ip` equivalents (systemd-networkd itself cannot be pointed at a namespace), the sysctl
 * file with sysctl, and the nftables script with nft (`-c` first, then loaded, twice, and read back). Needs
 * root, iproute2 and nftables (Debian packages `iproute2`, `nftables`; .ci/run installs them).
 */

const requireServices = (): boolean =>
  ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');

const NFT = ['/usr/sbin/nft', '/sbin/nft'].find(existsSync);
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find(existsSync);

/** Decided once, before the suite: run, fail loudly (CI), or skip with a notice. */
function canRun(): boolean {
  const missing = [
    ...(process.getuid?.() === 0 ? [] : ['root (network namespaces need CAP_SYS_ADMIN)']),
    ...(IP ? [] : ['ip (Debian package `iproute2`)']),
    ...(NFT ? [] : ['nft (Debian package `nftables`)']),
  ];
  if (missing.length === 0) return true;
  if (requireServices()) return true; // the tests then fail on the missing piece
  console.warn(
    `\n[notice] skipping the UPF host network tests, missing: ${missing.join(', ')}. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}
const CAN_RUN = canRun();

const NS = `pkz-upf-test-${process.pid}`;

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const inNs = (cmd: string, ...args: string[]) => run(IP ?? 'ip', ['netns', 'exec', NS, cmd, ...args]);
const ip = (...args: string[]) => run(IP ?? 'ip', ['-n', NS, ...args]);

/**
 * What systemd-networkd does with the rendered units, as `ip` commands: a `.netdev` of Kind=tun creates the
 * device; a `.network` puts each Address= on it, sets MTUBytes= and adds each [Route] (Gateway=0.0.0.0/:: is
 * a direct route). Any key this does not know fails the test, so the units cannot grow untested settings.
 */
function networkdAsIp(files: ReadonlyMap<string, string>): string[][] {
  const commands: string[][] = [];
  for (const [name, text] of files) {
    if (name.endsWith('.netdev')) {
      const unit = readUnit(text);
      const dev = unit.find((e) => e.key === 'Name')?.value;
      expect(unit.find((e) => e.key === 'Kind')?.value).toBe('tun');
      commands.push(['tuntap', 'add', 'dev', dev!, 'mode', 'tun']);
    }
  }
  for (const [name, text] of files) {
    if (!name.endsWith('.network')) continue;
    const unit = readUnit(text);
    const dev = unit.find((e) => e.section === 'Match' && e.key === 'Name')!.value;
    // networkd's order: link settings, link up, then addresses, then routes.
    const link: string[][] = [];
    const addresses: string[][] = [];
    const routes: string[][] = [];
    let gateway: string | undefined;
    for (const { section, key, value } of unit) {
      if (section === 'Match' && key === 'Name') continue;
      else if (section === 'Network' && key === 'Address') addresses.push(['addr', 'add', value, 'dev', dev]);
      else if (section === 'Route' && key === 'Gateway') gateway = value;
      else if (section === 'Route' && key === 'Destination') {
        expect(['0.0.0.0', '::']).toContain(gateway);
        routes.push(['route', 'replace', value, 'dev', dev]);
      } else if (section === 'Link' && key === 'MTUBytes') link.push(['link', 'set', dev, 'mtu', value]);
      else if (section === 'Link' && key === 'RequiredForOnline') continue;
      else throw new Error(`${name}: no ip equivalent for [${section}] ${key}=`);
    }
    commands.push(...link, ['link', 'set', dev, 'up'], ...addresses, ...routes);
  }
  return commands;
}

describe.skipIf(!CAN_RUN)('the rendered UPF host files, applied in a network namespace', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pkz-upf-host-'));
  const spec = demoWith((raw) => {
    raw.dnns[0].ipv6 = { subnet: '2001:db8:cafe::/48' };
    raw.dnns[1].device = 'ogsgov';
    raw.dnns[1].egress = 'none';
  });
  const [host] = renderUpfHostFiles(spec);
  const files = host!.files;
  const table = nftTableName('upf');

  beforeAll(() => {
    if (!IP || !NFT)
      throw new Error(
        'PAKAWAAZ_REQUIRE_SERVICES=1 but ip or nft is missing: apt-get install iproute2 nftables',
      );
    run(IP, ['netns', 'add', NS]);
    for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  });
  afterAll(() => {
    if (IP) spawnSync(IP, ['netns', 'delete', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the networkd units give each tun device its DNNs’ gateways, routes and MTU', () => {
    for (const args of networkdAsIp(files)) ip(...args);

    const addrs = JSON.parse(ip('-j', 'addr', 'show')) as {
      ifname: string;
      mtu: number;
      addr_info: { local: string; prefixlen: number; scope: string }[];
    }[];
    const global = (dev: string) =>
      addrs
        .find((a) => a.ifname === dev)
        ?.addr_info.filter((a) => a.scope === 'global')
        .map((a) => `${a.local}/${a.prefixlen}`);
    expect(global('ogstun')?.sort()).toEqual(['10.45.0.1/16', '2001:db8:cafe::1/48']);
    expect(global('ogsgov')).toEqual(['10.46.0.1/16']); // the gov gateway was on no device before
    expect(addrs.find((a) => a.ifname === 'ogstun')?.mtu).toBe(1400);
    expect(ip('route', 'get', '10.46.3.4')).toContain('dev ogsgov');
    expect(ip('-6', 'route', 'get', '2001:db8:cafe::42')).toContain('dev ogstun');
  });

  it('the sysctl.d file turns forwarding on', () => {
    for (const line of files.get('30-pakawaaz-upf.conf')!.split('\n')) {
      if (line && !line.startsWith('#')) inNs('sysctl', '-q', '-w', line);
    }
    expect(inNs('sysctl', '-n', 'net.ipv4.ip_forward').trim()).toBe('1');
    expect(inNs('sysctl', '-n', 'net.ipv6.conf.all.forwarding').trim()).toBe('1');
  });

  it('nft accepts the script (-c), loads it, and loads it again in place', () => {
    const script = path.join(dir, 'pakawaaz-upf.nft');
    inNs(NFT!, '-c', '-f', script);
    inNs(NFT!, '-f', script);
    inNs(NFT!, '-f', script); // the table delete/create preamble makes a reload replace, not duplicate

    // libnftables JSON (libnftables-json(5)): a list of { metainfo } | { table } | { chain } | { rule } objects.
    type NftObject = { table?: { name: string }; chain?: { hook?: string }; rule?: object };
    const listed = JSON.parse(inNs(NFT!, '-j', 'list', 'ruleset')) as { nftables: NftObject[] };
    const tables = listed.nftables.flatMap((o) => (o.table ? [o.table.name] : []));
    expect(tables).toEqual([table]);
    const chains = listed.nftables.flatMap((o) => (o.chain ? [o.chain.hook] : []));
    expect(chains.sort()).toEqual(['forward', 'input', 'postrouting']);
    const ruleCount = listed.nftables.filter((o) => o.rule).length;
    expect(ruleCount).toBe(
      files
        .get('pakawaaz-upf.nft')!
        .split('\n')
        .filter((l) => /^\t\t(?!type |#)/.test(l)).length,
    );
  });

  it('nft rejects a broken script, so the check above can fail', () => {
    const broken = path.join(dir, 'broken.nft');
    writeFileSync(broken, files.get('pakawaaz-upf.nft')!.replace('masquerade', 'masqerade'));
    expect(() => inNs(NFT!, '-c', '-f', broken)).toThrow(/masqerade|syntax|Error/);
  });
});
