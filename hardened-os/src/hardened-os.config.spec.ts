import { ConfigError, type PlatformConfig } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { loadHardenedOsConfig } from './hardened-os.config.js';

const platform = { dataDir: '/srv/data', databaseMode: 'postgresql' } as PlatformConfig;

describe('the OS payload upload settings', () => {
  it('default to 30 s idle and 1 MiB/s over the whole upload (blank is unset)', () => {
    const c = loadHardenedOsConfig({ PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: ' ' }, platform);
    expect([c.payloadUploadIdleMs, c.payloadUploadMinBytesPerSecond]).toEqual([30_000, 1024 * 1024]);
  });

  it('take the operator’s values, the idle time in seconds', () => {
    const c = loadHardenedOsConfig(
      { PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: '90', PAKAWAAZ_OS_PAYLOAD_MIN_BYTES_PER_SECOND: '2048' },
      platform,
    );
    expect([c.payloadUploadIdleMs, c.payloadUploadMinBytesPerSecond]).toEqual([90_000, 2048]);
  });

  it('refuse what is not a whole number in range, naming each setting', () => {
    const err = (() => {
      try {
        loadHardenedOsConfig(
          { PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: '0', PAKAWAAZ_OS_PAYLOAD_MIN_BYTES_PER_SECOND: 'fast' },
          platform,
        );
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.map((i) => i.variable).sort()).toEqual([
      'PAKAWAAZ_OS_PAYLOAD_MIN_BYTES_PER_SECOND',
      'PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS',
    ]);
    expect(err!.message).toContain('expected bytes per second');
    for (const bad of ['3601', '1.5'])
      expect(() => loadHardenedOsConfig({ PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: bad }, platform)).toThrow(
        ConfigError,
      );
  });
});
