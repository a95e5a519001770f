import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  isActorKind,
  isAmr,
  isRole,
  KERNEL_AUTH,
  registerDomains,
  registeredRoles,
  roleDefinition,
  roleNames,
  roleSchema,
  rolesAllowedIn,
  type DomainAuth,
  type Role,
} from './registry.js';

// Domains as the composition root would register them; names outside the kernel's are casts because the
// kernel's own compilation knows no domain's type-level registration.
const network = {
  name: 'test-network',
  auth: {
    roles: { 'test-operator': { description: 'runs the test network', scope: 'national' } },
    amr: { otp: 'one-time password' },
  } as unknown as DomainAuth,
};
const devices = {
  name: 'test-devices',
  auth: {
    roles: { 'test-device-admin': { description: 'handsets', scope: 'institution' } },
    amr: { hwk: 'hardware key', otp: 'one-time password' },
    actorKinds: { device: 'a handset' },
  } as unknown as DomainAuth,
};
registerDomains([{ name: 'platform', auth: KERNEL_AUTH }, network, devices]);

describe('kernel registry', () => {
  it('holds the kernel roles and what the domains registered, kernel first', () => {
    expect(roleNames()).toEqual([
      'super-admin',
      'security-officer',
      'viewer',
      'test-operator',
      'test-device-admin',
    ]);
    expect(roleDefinition('test-device-admin')).toMatchObject({
      domain: 'test-devices',
      scope: 'institution',
    });
    expect(roleDefinition('super-admin')).toMatchObject({
      domain: 'platform',
      scope: 'national',
      passkey: true,
    });
    expect(isRole('test-operator')).toBe(true);
    expect(isRole('god')).toBe(false);
    expect(roleDefinition('god')).toBeUndefined();
  });

  it('lets several domains register the same amr value, and records actor kinds', () => {
    expect(isAmr('otp')).toBe(true);
    expect(isAmr('hwk')).toBe(true);
    expect(isAmr('face')).toBe(false);
    expect(isActorKind('system')).toBe(true);
    expect(isActorKind('device')).toBe(true);
    expect(isActorKind('robot')).toBe(false);
  });

  it('accepts the same registration again (tests compose apps repeatedly) but not a role claimed twice', () => {
    const before = registeredRoles().length;
    registerDomains([network, devices]);
    expect(registeredRoles()).toHaveLength(before);
    const thief = {
      name: 'test-thief',
      auth: {
        roles: { 'test-operator': { description: 'mine', scope: 'national' } },
      } as unknown as DomainAuth,
    };
    expect(() => registerDomains([thief])).toThrow(
      /"test-operator" is registered by both test-network and test-thief/,
    );
  });

  it('keeps only institution roles for an account inside an institution', () => {
    const held = ['viewer', 'test-operator', 'test-device-admin', 'super-admin'] as Role[];
    expect(rolesAllowedIn(held, null)).toEqual(held);
    expect(rolesAllowedIn(held, 'ministry-1')).toEqual(['viewer', 'test-device-admin']);
    // A name no domain registered (an old token) is never kept inside an institution.
    expect(rolesAllowedIn(['ghost'], 'ministry-1')).toEqual([]);
  });

  it('roleSchema validates against the registered roles and documents them as an enum', () => {
    const schema = z.array(roleSchema());
    expect(schema.safeParse(['viewer', 'test-device-admin']).success).toBe(true);
    expect(schema.safeParse(['god']).success).toBe(false);
    expect(z.toJSONSchema(schema, { target: 'openapi-3.0' })).toMatchObject({
      items: { enum: ['super-admin', 'security-officer', 'viewer', 'test-operator', 'test-device-admin'] },
    });
  });
});
