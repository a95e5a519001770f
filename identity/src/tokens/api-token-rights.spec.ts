import { coreNetworkDomain } from '@pakawaaz/core-network';
import { platformDomain, registerDomains } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { identityDomain } from '../identity.domain.js';
import { effectiveTokenRoles } from './api-token-rights.js';

// As the composition root does, so isRole knows the registered roles.
registerDomains([platformDomain, coreNetworkDomain, identityDomain]);

describe('effectiveTokenRoles', () => {
  it('keeps only the roles every holder still has', () => {
    expect(effectiveTokenRoles(['sim-operator', 'viewer'], ['viewer', 'billing'])).toEqual(['viewer']);
    expect(effectiveTokenRoles(['sim-operator', 'viewer'], ['viewer', 'sim-operator'], ['viewer'])).toEqual([
      'viewer',
    ]);
  });
  it('a super-admin holder keeps the token whole (super-admin satisfies every role)', () => {
    expect(effectiveTokenRoles(['network-admin'], ['super-admin'])).toEqual(['network-admin']);
  });
  it('a super-admin token made by someone without super-admin is cut down to nothing', () => {
    expect(effectiveTokenRoles(['super-admin'], ['security-officer'])).toEqual([]);
  });
  it('no holder (the bootstrap token) leaves the roles as they are; unknown roles are dropped', () => {
    expect(effectiveTokenRoles(['super-admin', 'god'])).toEqual(['super-admin']);
  });
});
