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

  it('install_app may name the APK by its SHA-256: 64 lower-case hex digits, nothing else', () => {
    // SHA-256 of the empty string (FIPS 180-4 test vector).
    const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const install = (params: Record<string, unknown>) => ({ type: 'install_app', params });
    const params = { package: 'org.pakawaaz.chat', versionCode: 42, apkSha256: sha };
    expect(new ZodValidationPipe(CreateDeviceCommandRequest).transform(install(params))).toMatchObject({
      params,
    });
    for (const bad of [sha.toUpperCase(), sha.slice(1), `${sha}0`, `${sha.slice(1)}g`, '', 42])
      expect(refused(CreateDeviceCommandRequest, install({ ...params, apkSha256: bad })).message).toContain(
        'params.apkSha256',
      );
    // The package stays required; versionCode and the digest stay optional for an operator.
    expect(refused(CreateDeviceCommandRequest, install({ apkSha256: sha })).message).toContain(
      'params.package',
    );
  });

  it("an operator's idempotency key may not start 'app:' (the app store's installs)", () => {
    const e = refused(CreateDeviceCommandRequest, { type: 'lock', idempotencyKey: 'app:r1:d1' });
    expect([e.status, e.message]).toEqual([400, expect.stringContaining('idempotencyKey')]);
    expect(
      new ZodValidationPipe(CreateDeviceCommandRequest).transform({ type: 'lock', idempotencyKey: 'apps:1' }),
    ).toMatchObject({ idempotencyKey: 'apps:1' });
  });

  it('a reported app may carry its crash count (0 to 1,000,000); reports without one still pass', () => {
    const withCrashes = {
      ...REPORT,
      apps: [{ package: 'org.pakawaaz.chat', versionCode: 1, crashes: 3 }],
    };
    expect(new ZodValidationPipe(CheckInReport).transform(withCrashes)).toEqual(withCrashes);
    for (const crashes of [-1, 1.5, 1_000_001, '3'])
      expect(
        refused(CheckInReport, { ...REPORT, apps: [{ package: 'org.a.b', versionCode: 1, crashes }] })
          .message,
      ).toContain('apps.0.crashes');
    expect(new ZodValidationPipe(CheckInReport).transform({ ...REPORT, apps: [] })).toMatchObject({
      apps: [],
    });
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
