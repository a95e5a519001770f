import { describe, expect, it } from 'vitest';
import { writeAxml, type XAttr, type XElement } from './axml-test-support.js';
import {
  cleartextVerdict,
  parseNetworkSecurityConfig,
  type NetworkSecurityConfig,
} from './network-security-config.js';

/*
 * The expectations are AOSP's (frameworks/base core/java/android/security/net/config): XmlConfigSource's
 * parseNetworkSecurityConfig / parseConfigEntry / parseDomain, NetworkSecurityConfig.getDefaultBuilder
 * (cleartext permitted below targetSdk 28) and ManifestConfigSource (a named config replaces
 * android:usesCleartextTraffic).
 */
const T_STRING = 0x03;
const T_BOOL = 0x12;
const flag = (name: string, on: boolean): XAttr => ({
  android: false,
  name,
  dataType: T_BOOL,
  data: on ? 1 : 0,
});
const el = (name: string, attributes: XAttr[] = [], children: XElement[] = []): XElement => ({
  name,
  attributes,
  children,
});
const domain = (text: string, attributes: XAttr[] = []): XElement => ({ ...el('domain', attributes), text });
const config = (...children: XElement[]) => el('network-security-config', [], children);
const parse = (root: XElement) => parseNetworkSecurityConfig(writeAxml(root));

describe('parseNetworkSecurityConfig (XmlConfigSource)', () => {
  it('reads base-config and nested domain-configs, each inheriting from its parent', () => {
    const nsc = parse(
      config(
        el('base-config', [flag('cleartextTrafficPermitted', false)]),
        el(
          'domain-config',
          [flag('cleartextTrafficPermitted', true)],
          [
            domain('  Legacy.GOV.example ', [flag('includeSubdomains', true)]),
            el('domain-config', [], [domain('inner.gov.example')]),
            el('domain-config', [flag('cleartextTrafficPermitted', false)], [domain('tls.gov.example')]),
          ],
        ),
        el('domain-config', [], [domain('plain.gov.example')]),
      ),
    );
    expect(nsc).toEqual({
      base: false,
      domains: [
        { domain: 'legacy.gov.example', includeSubdomains: true, cleartextPermitted: true },
        { domain: 'inner.gov.example', includeSubdomains: false, cleartextPermitted: true },
        { domain: 'tls.gov.example', includeSubdomains: false, cleartextPermitted: false },
        { domain: 'plain.gov.example', includeSubdomains: false, cleartextPermitted: null },
      ],
    });
  });

  it("takes the last of an attribute given twice, as the platform's attribute loop does", () => {
    const twice = el('base-config', [
      flag('cleartextTrafficPermitted', false),
      flag('cleartextTrafficPermitted', true),
    ]);
    expect(parse(config(twice)).base).toBe(true);
  });

  it('reads a value the build left as a string as true (getAttributeBooleanValue(i, true))', () => {
    const asString: XAttr = {
      android: false,
      name: 'cleartextTrafficPermitted',
      dataType: T_STRING,
      string: 'false',
    };
    expect(parse(config(el('base-config', [asString]))).base).toBe(true);
  });

  it.each([
    ['another root element', el('manifest')],
    ['two base-configs', config(el('base-config'), el('base-config'))],
    ['a domain-config without a domain', config(el('domain-config'))],
    ['an empty domain', config(el('domain-config', [], [domain('   ')]))],
    ['a domain named twice', config(el('domain-config', [], [domain('a.example'), domain('A.example')]))],
    [
      'elements inside a domain',
      config(el('domain-config', [], [{ ...domain('a.example'), children: [el('x')] }])),
    ],
  ])('refuses %s, as Android does (nsc_invalid)', (_label, root) => {
    expect(() => parse(root)).toThrow(expect.objectContaining({ code: 'nsc_invalid' }));
  });

  it('caps the text of one element (a pool string referenced by many text nodes)', () => {
    const long = 'a'.repeat(120); // the test writer encodes short strings only
    const root = config(el('domain-config', [], [domain(long)]));
    expect(() => parseNetworkSecurityConfig(writeAxml(root), { maxText: 100 })).toThrow(
      expect.objectContaining({ code: 'axml_limit' }),
    );
  });
});

describe('cleartextVerdict', () => {
  const nsc = (
    base: boolean | null,
    ...domains: [string, boolean | null, boolean?][]
  ): NetworkSecurityConfig => ({
    base,
    domains: domains.map(([d, c, sub]) => ({
      domain: d,
      cleartextPermitted: c,
      includeSubdomains: sub ?? false,
    })),
  });

  it('without a config: usesCleartextTraffic, else the platform default by targetSdk', () => {
    expect(cleartextVerdict(null, true, 35)).toEqual({ permitted: true, domains: [], decidedBy: 'manifest' });
    expect(cleartextVerdict(null, false, 27)).toEqual({
      permitted: false,
      domains: [],
      decidedBy: 'manifest',
    });
    expect(cleartextVerdict(null, null, 27).permitted).toBe(true);
    expect(cleartextVerdict(null, null, 28)).toEqual({
      permitted: false,
      domains: [],
      decidedBy: 'platform-default',
    });
    expect(cleartextVerdict(null, null, null).permitted).toBe(true);
  });

  it('with a config, usesCleartextTraffic is ignored and unset values fall back to base, then the default', () => {
    expect(cleartextVerdict([nsc(null)], false, 27).permitted).toBe(true);
    expect(cleartextVerdict([nsc(null)], true, 28).permitted).toBe(false);
    expect(cleartextVerdict([nsc(false, ['a.example', true, true], ['b.example', null])], true, 35)).toEqual({
      permitted: false,
      domains: ['*.a.example'],
      decidedBy: 'network-security-config',
    });
    // A domain with no setting under an unset base on an old targetSdk: the default lets cleartext through.
    expect(cleartextVerdict([nsc(null, ['b.example', null])], false, 27).permitted).toBe(true);
  });

  it('takes the worst of every configuration variant of the resource', () => {
    const verdict = cleartextVerdict([nsc(false), nsc(false, ['x.example', true])], null, 35);
    expect(verdict).toEqual({
      permitted: false,
      domains: ['x.example'],
      decidedBy: 'network-security-config',
    });
    expect(cleartextVerdict([nsc(false), nsc(true)], null, 35).permitted).toBe(true);
  });
});
