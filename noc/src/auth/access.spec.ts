import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessTable, decide, type Caller } from './access';

// The committed document the server writes (`npm run openapi`), read as the NOC build reads it.
const table = accessTable(
  JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')),
);

const national = (...roles: string[]): Caller => ({ roles, scope: { kind: 'national' } });
const institution = (...roles: string[]): Caller => ({ roles, scope: { kind: 'institution' } });

describe('operation access from openapi.json', () => {
  it('reads every operation with its scope and roles', () => {
    expect(table['POST /api/v1/sims/imports']).toEqual({
      scope: 'national',
      roles: ['sim-operator', 'super-admin'],
    });
    expect(table['GET /api/v1/institutions']?.scope).toBe('institution');
    expect(table['POST /api/v1/auth/login']).toEqual({ scope: 'public', roles: [] });
  });

  it('refuses a document without the access extensions', () => {
    expect(() => accessTable({ paths: { '/x': { get: { operationId: 'X' } } } })).toThrow(/GET \/x/);
  });

  it('lets a viewer read but not write', () => {
    expect(decide(table, national('viewer'), 'GET /api/v1/sims')).toEqual({ allowed: true });
    expect(decide(table, national('viewer'), 'POST /api/v1/sims/imports')).toEqual({
      allowed: false,
      reason: 'Needs the sim-operator role.',
    });
    expect(decide(table, national('viewer'), 'POST /api/v1/network/spec').allowed).toBe(false);
  });

  it('passes super-admin wherever the server lists it', () => {
    expect(decide(table, national('super-admin'), 'POST /api/v1/sims/kek/rotate').allowed).toBe(true);
    expect(decide(table, national('super-admin'), 'POST /api/v1/subscribers/{imsi}/unbar').allowed).toBe(
      true,
    );
  });

  it('names every role that would pass', () => {
    expect(decide(table, national('billing'), 'POST /api/v1/subscribers/{imsi}/bar')).toEqual({
      allowed: false,
      reason: 'Needs the sim-operator or network-admin or security-officer role.',
    });
  });

  it('refuses national operations to an institution operator whatever its roles', () => {
    expect(decide(table, institution('viewer'), 'GET /api/v1/sims')).toEqual({
      allowed: false,
      reason: 'Only national operators may do this.',
    });
    expect(decide(table, institution('viewer'), 'GET /api/v1/subscribers').allowed).toBe(true);
  });

  it('never offers a handset’s device operation to an operator, whatever their roles', () => {
    expect(table['GET /api/v1/device/whoami']).toEqual({ scope: 'device', roles: [] });
    expect(decide(table, national('super-admin'), 'GET /api/v1/device/whoami')).toEqual({
      allowed: false,
      reason: 'Only an enrolled handset may do this (device certificate).',
    });
  });

  it('lets any signed-in caller use an operation without roles, and nobody before the profile loads', () => {
    expect(decide(table, institution(), 'GET /api/v1/auth/me').allowed).toBe(true);
    expect(decide(table, null, 'GET /api/v1/auth/me').allowed).toBe(false);
  });
});
