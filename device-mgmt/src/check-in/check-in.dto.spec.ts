import { AppError, ZodValidationPipe } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CreateDeviceCommandRequest } from '../commands/commands.dto.js';
import { PutDevicePolicyRequest } from '../policies/policies.dto.js';
import { CheckInReport, MAX_REPORTED_APPS } from './check-in.dto.js';

/** Bad input at the HTTP boundary is a 400 validation_failed naming the path at fault, never a 500. */
function refused(schema: z.ZodType, body: unknown): AppError {
  try {
    new ZodValidationPipe(schema).transform(body);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const REPORT = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [{ package: 'org.pakawaaz.chat', versionCode: 1 }],
  policyVersion: 3,
};

describe('request validation', () => {
  it('a policy with an unknown or bad setting is 400 with the path', () => {
    const e = refused(PutDevicePolicyRequest, { settings: { screenLock: { minLength: 1 } } });
    expect([e.code, e.status]).toEqual(['validation_failed', 400]);
    expect(e.message).toContain('settings.screenLock.minLength');
    expect(refused(PutDevicePolicyRequest, { settings: {}, extra: 1 }).status).toBe(400);
    expect(refused(PutDevicePolicyRequest, { settings: {}, baseVersion: -1 }).status).toBe(400);
  });

  it('a command with parameters its type does not take is 400', () => {
    expect(
      new ZodValidationPipe(CreateDeviceCommandRequest).transform({
        type: 'install_app',
        params: { package: 'org.a.b' },
      }),
    ).toMatchObject({ type: 'install_app' });
    expect(refused(CreateDeviceCommandRequest, { type: 'install_app' }).message).toContain('params.package');
    expect(refused(CreateDeviceCommandRequest, { type: 'lock', params: { now: true } }).status).toBe(400);
    expect(refused(CreateDeviceCommandRequest, { type: 'format_disk' }).status).toBe(400);
    expect(refused(CreateDeviceCommandRequest, { type: 'lock', idempotencyKey: 'has space' }).status).toBe(
      400,
    );
  });

  it('a check-in report is size-limited and strict', () => {
    expect(new ZodValidationPipe(CheckInReport).transform(REPORT)).toEqual(REPORT);
    const apps = Array.from({ length: MAX_REPORTED_APPS + 1 }, (_, i) => ({
      package: `org.app.a${i}`,
      versionCode: 1,
    }));
    expect(refused(CheckInReport, { ...REPORT, apps }).message).toContain('apps');
    expect(refused(CheckInReport, { ...REPORT, securityPatch: '2026-13-01' }).status).toBe(400);
    expect(refused(CheckInReport, { ...REPORT, contacts: [] }).status).toBe(400);
    expect(
      refused(CheckInReport, { ...REPORT, lostMode: { location: { latitude: 91, longitude: 0 } } }).status,
    ).toBe(400);
    expect(
      refused(CheckInReport, { ...REPORT, acknowledgements: [{ commandId: 'x', state: 'succeeded' }] })
        .status,
    ).toBe(400);
  });
});
