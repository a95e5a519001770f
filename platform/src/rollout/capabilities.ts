import type { CapabilityDefinition, RegisteredCapability } from './rollout-plan.js';

const capabilities = new Map<string, RegisteredCapability>();

/**
 * Called by `registerDomains` for each domain's `auth.capabilities`. The same registration again is
 * harmless; a capability claimed by two domains is a programming error.
 */
export function registerCapability(domain: string, name: string, definition: CapabilityDefinition): void {
  const known = capabilities.get(name);
  if (known && known.domain !== domain)
    throw new Error(`capability "${name}" is registered by both ${known.domain} and ${domain}`);
  capabilities.set(name, Object.freeze({ ...definition, name, domain }));
}

/** Registered capabilities in registration order (along the floors). */
export function registeredCapabilities(): readonly RegisteredCapability[] {
  return [...capabilities.values()];
}
