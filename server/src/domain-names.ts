import type { DomainComposition } from '@pakawaaz/platform/config';

/**
 * The domains a node may serve (PAKAWAAZ_DOMAINS), by name, in migration order: what checking the
 * configuration needs, without the domains themselves. Their descriptors import their schemas, events and the
 * platform's main face (about a second and 80 MB at start), which the supervisor of PAKAWAAZ_PROCESSES > 1,
 * serving nothing, must not pay for. domains.ts proves at compile time that this list is ALL_DOMAINS' names,
 * and its spec that the order is theirs.
 */
export const DOMAIN_NAMES = [
  'core-network',
  'hardened-os',
  'identity',
  'device-mgmt',
  'app-store',
  'secure-chat',
] as const;

/** The composition the kernel checks PAKAWAAZ_DOMAINS against (it knows no domain by itself). */
export const DOMAINS: DomainComposition = {
  names: DOMAIN_NAMES,
  everyNode: { identity: 'it verifies the tokens of every request' },
};
