import { describe, expect, it } from 'vitest';
import { DOMAIN_NAMES } from './domain-names.js';
import { ALL_DOMAINS, DOMAINS } from './domains.js';

describe('DOMAINS', () => {
  it("names every domain but the kernel, in the descriptors' migration order", () => {
    // The set is proven at compile time (domains.ts); the order is the start-up order `all` serves in.
    const descriptors = ALL_DOMAINS.map((d) => d.name).filter((n) => n !== 'platform');
    expect(DOMAINS.names).toEqual(descriptors);
    expect(DOMAIN_NAMES).toEqual(descriptors);
  });
});
