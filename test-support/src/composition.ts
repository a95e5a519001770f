import { registerDomains, type DomainComposition, type DomainDescriptor } from '@pakawaaz/platform';

/**
 * What a package's tests compose, as the server's composition root would: the domains a node may serve (for
 * PAKAWAAZ_DOMAINS) — and, as the server does at start-up, their roles, amr values and actor kinds registered
 * with the kernel (registering again is harmless).
 */
export function compositionOf(domains: readonly DomainDescriptor[]): DomainComposition {
  registerDomains(domains);
  return { names: domains.map((d) => d.name).filter((n) => n !== 'platform'), everyNode: {} };
}
