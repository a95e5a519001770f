import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderFreeDiameterConfigs } from '../open5gs/config/render.js';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { validateNetworkSpec, type NetworkSpec, type SpecIssue } from './network-spec.js';
import { diameterIdentity, diameterRealm, sbiFqdn } from './node-names.js';

/** The demo spec (PLMN 001/01) with `diameter`/`sbi`/`plmn` replaced. */
function check(patch: Record<string, unknown>) {
  const demo = parse(DEMO_NETWORK_YAML) as Record<string, unknown>;
  return validateNetworkSpec({ ...demo, ...patch });
}
function valid(patch: Record<string, unknown>): NetworkSpec {
  const r = check(patch);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}
const issues = (list: SpecIssue[]) => list.map((i) => `${i.path}: ${i.message}`);
const errorsOf = (patch: Record<string, unknown>) => {
  const r = check(patch);
  return r.ok ? [] : issues(r.errors);
};
const warningsOf = (patch: Record<string, unknown>) => issues(check(patch).warnings);

describe('Diameter names (TS 23.003 §19.4.2.4) and SBI names (§28.2)', () => {
  it('derive from the PLMN, the MNC always three digits', () => {
    const two = valid({});
    expect(diameterRealm(two)).toBe('epc.mnc001.mcc001.3gppnetwork.org');
    expect(diameterIdentity(two, 'mme')).toBe('mme.epc.mnc001.mcc001.3gppnetwork.org');
    expect(sbiFqdn(two, 'nrf')).toBe('nrf.5gc.mnc001.mcc001.3gppnetwork.org');
    const three = valid({ plmn: { mcc: '310', mnc: '260' } });
    expect(diameterIdentity(three, 'pcrf')).toBe('pcrf.epc.mnc260.mcc310.3gppnetwork.org');
    expect(sbiFqdn(three, 'amf')).toBe('amf.5gc.mnc260.mcc310.3gppnetwork.org');
  });

  it('the spec may name them, lower-cased as DNS names are compared', () => {
    const spec = valid({
      diameter: { realm: 'EPC.Example.org', hss: { identity: 'HSS1.epc.example.org' } },
      sbi: { domain: '5gc.example.org' },
    });
    expect(diameterRealm(spec)).toBe('epc.example.org');
    expect(diameterIdentity(spec, 'hss')).toBe('hss1.epc.example.org');
    expect(sbiFqdn(spec, 'udm')).toBe('udm.5gc.example.org');
  });
});

describe('diameter section checks', () => {
  it('the defaults are valid: Open5GS’s loopback addresses, 3868, no TLS, SCTP', () => {
    const spec = valid({});
    expect(spec.diameter).toMatchObject({
      tls: false,
      sctp: true,
      hss: { address: '127.0.0.8', port: 3868 },
    });
    expect(check({}).warnings).toEqual([]);
  });

  it('refuses two nodes with one identity', () => {
    expect(errorsOf({ diameter: { pcrf: { identity: 'hss.epc.mnc001.mcc001.3gppnetwork.org' } } })).toEqual([
      "diameter.pcrf.identity: Diameter identity hss.epc.mnc001.mcc001.3gppnetwork.org is also the HSS's; every node needs its own",
    ]);
  });

  it('warns about an identity outside the realm', () => {
    expect(warningsOf({ diameter: { mme: { identity: 'mme.other.org' } } })).toEqual([
      'diameter.mme.identity: mme.other.org is not in the realm epc.mnc001.mcc001.3gppnetwork.org; TS 23.003 names a node <name>.<realm>, and certificates and logs are easier to read that way',
    ]);
  });

  it('wants IP literals a peer can dial: no host name, no wildcard', () => {
    expect(errorsOf({ diameter: { hss: { address: 'hss.example.org' } } })).toEqual([
      'diameter.hss.address: expected an IPv4 or IPv6 address',
    ]);
    expect(errorsOf({ diameter: { hss: { address: '0.0.0.0' } } })[0]).toMatch(
      /^diameter\.hss\.address: 0\.0\.0\.0 is "any address"/,
    );
    expect(errorsOf({ diameter: { identity: 'x' } })).toEqual(['diameter.identity: unknown key']);
  });

  it('refuses two nodes on one address and listening port (the port in use: Port plain, SecPort with TLS)', () => {
    const same = { mme: { address: '10.0.0.1' }, smf: { address: '10.0.0.1' } };
    expect(errorsOf({ diameter: same })).toEqual([
      'diameter.smf.port: 10.0.0.1 port 3868 is already used by diameter.mme.port',
    ]);
    expect(errorsOf({ diameter: { ...same, tls: true } })).toEqual([
      'diameter.smf.secPort: 10.0.0.1 port 5868 is already used by diameter.mme.secPort',
    ]);
    expect(
      errorsOf({
        diameter: { mme: { address: '10.0.0.1' }, smf: { address: '10.0.0.1', port: 3869, secPort: 5869 } },
      }),
    ).toEqual([]);
    expect(errorsOf({ diameter: { hss: { port: 5868 } } })).toEqual([
      'diameter.hss.secPort: port and secPort are both 5868; give them different ports',
    ]);
  });

  it('warns when one end of a link is loopback and the other is not (two hosts cannot meet)', () => {
    expect(warningsOf({ diameter: { hss: { address: '10.0.0.8' } } })).toEqual([
      'diameter.mme.address: S6a: the MME is at 127.0.0.2 and the HSS at 10.0.0.8; a loopback address is reachable from its own host only, so give both the addresses of their hosts',
    ]);
    expect(warningsOf({ diameter: { hss: { address: '10.0.0.8' }, mme: { address: '10.0.0.2' } } })).toEqual(
      [],
    );
  });

  it('sctp: false writes No_SCTP; ports that are not the standard ones are written', () => {
    const spec = valid({ diameter: { sctp: false, pcrf: { port: 3900 } } });
    const files = renderFreeDiameterConfigs(spec);
    expect(files.get('pcrf.conf')).toContain('\nPort = 3900;\nSecPort = 0;\nNo_SCTP;\n');
    expect(files.get('smf.conf')).toContain(
      'ConnectPeer = "pcrf.epc.mnc001.mcc001.3gppnetwork.org" { ConnectTo = "127.0.0.9"; No_TLS; Port = 3900; };',
    );
    expect(valid({}).diameter.sctp).toBe(true);
    expect(renderFreeDiameterConfigs(valid({})).get('mme.conf')).not.toContain('No_SCTP');
  });
});

describe('sbi section checks', () => {
  it('refuses a domain too long for the NF names', () => {
    const long = Array.from({ length: 5 }, () => 'a'.repeat(49)).join('.');
    expect(errorsOf({ sbi: { tls: true, domain: long } })[0]).toMatch(/^sbi\.domain: .* is too long/);
    expect(errorsOf({ sbi: { tls: false, domain: long } })).toEqual([]);
  });

  it('refuses what is not a domain name', () => {
    expect(errorsOf({ sbi: { domain: 'not a domain' } })).toEqual([
      'sbi.domain: expected a domain name, e.g. epc.mnc001.mcc001.3gppnetwork.org',
    ]);
  });
});
