import { parseAxml, type AxmlAttribute, type AxmlElement, type AxmlLimits } from './axml.js';
import { ManifestError } from './manifest-error.js';
import { TYPE_FIRST_INT, TYPE_LAST_INT } from './res-chunk.js';

/*
 * Whether an app may send cleartext traffic, decided the way the platform decides it
 * (frameworks/base core/java/android/security/net/config):
 *
 * - ManifestConfigSource: an app whose <application> names android:networkSecurityConfig gets an
 *   XmlConfigSource and android:usesCleartextTraffic is ignored; without one, usesCleartextTraffic decides,
 *   and when it is absent the platform default does.
 * - NetworkSecurityConfig.getDefaultBuilder: cleartext is permitted by default below targetSdk 28 (P).
 * - XmlConfigSource.parseNetworkSecurityConfig / parseConfigEntry: the root is <network-security-config>; at
 *   most one <base-config>; <domain-config> may nest and inherits from its parent, then from base-config, then
 *   from the default; each needs at least one <domain> whose text is a host name (trimmed, lower-cased; a
 *   name given twice is an error). `cleartextTrafficPermitted` is found by attribute name in any namespace
 *   and read with getAttributeBooleanValue(i, true): an integer or boolean typed value decides, anything
 *   else — a string "false" the build did not compile — counts as true.
 * - <debug-overrides> applies to debuggable builds only, which the store refuses anyway.
 */

/** One domain rule: the host name, whether it covers subdomains, and whether cleartext is permitted there. */
export type NscDomain = { domain: string; includeSubdomains: boolean; cleartextPermitted: boolean | null };

/** A parsed config: base-config's own setting (null: not set, the default applies) and the domain rules. */
export type NetworkSecurityConfig = { base: boolean | null; domains: NscDomain[] };

/** The verdict the store's policy reads (ApkInspection.cleartextTraffic). */
export type CleartextVerdict = {
  /** Cleartext is permitted for hosts no domain rule names. */
  permitted: boolean;
  /** Host names (`*.` first when subdomains are included) where cleartext is permitted although the base forbids it. */
  domains: string[];
  /** What decided: the network security config, android:usesCleartextTraffic, or the platform default. */
  decidedBy: 'network-security-config' | 'manifest' | 'platform-default';
};

/** Most domain rules read: real configs name a handful. */
export const MAX_NSC_DOMAINS = 1_000;

const invalid = (message: string): never => {
  throw new ManifestError('nsc_invalid', message);
};

// XmlConfigSource loops over every attribute and each match overwrites the last: a name given twice means
// its last value (a build tool never writes two, a hand-made file may).
const byName = (e: AxmlElement, name: string): AxmlAttribute | undefined =>
  e.attributes.findLast((a) => a.name === name);

/** XmlBlock.Parser.getAttributeBooleanValue: only an integer-typed value is read; otherwise the default. */
function booleanAttribute(a: AxmlAttribute | undefined, fallback: boolean): boolean {
  if (!a) return fallback;
  const { dataType, data } = a.value;
  return dataType >= TYPE_FIRST_INT && dataType <= TYPE_LAST_INT ? data !== 0 : fallback;
}

const cleartextOf = (e: AxmlElement): boolean | null => {
  const a = byName(e, 'cleartextTrafficPermitted');
  return a ? booleanAttribute(a, true) : null;
};

/** Parses a compiled res/xml network security config. Throws ManifestError('nsc_invalid') where Android would. */
export function parseNetworkSecurityConfig(
  bytes: Uint8Array,
  limits?: Partial<AxmlLimits>,
): NetworkSecurityConfig {
  const root = parseAxml(bytes, limits);
  if (root.name !== 'network-security-config')
    invalid(`the root element is <${root.name}>, not <network-security-config>`);
  const bases = root.children.filter((c) => c.name === 'base-config');
  if (bases.length > 1) invalid('more than one <base-config>');
  const base = bases[0] ? cleartextOf(bases[0]) : null;
  const seen = new Set<string>();
  const domains: NscDomain[] = [];
  // The effective setting of a domain-config: its own, else its parent's (null: base-config, then default).
  const walk = (config: AxmlElement, inherited: boolean | null) => {
    const own = cleartextOf(config) ?? inherited;
    const names = config.children.filter((c) => c.name === 'domain');
    if (names.length === 0) invalid('a <domain-config> without a <domain>');
    for (const d of names) {
      const domain = (d.text ?? '').trim().toLowerCase();
      if (domain === '') invalid('a <domain> without a host name');
      if (d.children.length > 0) invalid(`<domain> ${domain} contains elements`);
      if (seen.has(domain)) invalid(`${domain} is named twice`);
      seen.add(domain);
      if (domains.length >= MAX_NSC_DOMAINS) invalid(`more than ${MAX_NSC_DOMAINS} domains`);
      domains.push({
        domain,
        includeSubdomains: booleanAttribute(byName(d, 'includeSubdomains'), false),
        cleartextPermitted: own,
      });
    }
    for (const nested of config.children.filter((c) => c.name === 'domain-config')) walk(nested, own);
  };
  for (const config of root.children.filter((c) => c.name === 'domain-config')) walk(config, null);
  return { base, domains };
}

/** NetworkSecurityConfig.getDefaultBuilder: permitted below targetSdk 28; an unknown targetSdk counts as old. */
export const defaultCleartext = (targetSdk: number | null): boolean => (targetSdk ?? 0) < 28;

/**
 * The verdict for an app: from its network security configs when it names one (every configuration variant
 * of the resource, worst case: a device may pick any of them), else from android:usesCleartextTraffic, else
 * the platform default.
 */
export function cleartextVerdict(
  configs: readonly NetworkSecurityConfig[] | null,
  usesCleartextTraffic: boolean | null,
  targetSdk: number | null,
): CleartextVerdict {
  const fallback = defaultCleartext(targetSdk);
  if (configs === null) {
    return usesCleartextTraffic === null
      ? { permitted: fallback, domains: [], decidedBy: 'platform-default' }
      : { permitted: usesCleartextTraffic, domains: [], decidedBy: 'manifest' };
  }
  const permitted = configs.some((c) => c.base ?? fallback);
  const domains = new Set<string>();
  for (const c of configs)
    for (const d of c.domains)
      if (d.cleartextPermitted ?? c.base ?? fallback)
        domains.add(d.includeSubdomains ? `*.${d.domain}` : d.domain);
  return { permitted, domains: permitted ? [] : [...domains].sort(), decidedBy: 'network-security-config' };
}
