import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger, PlatformConfig } from '@pakawaaz/platform';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { certificateNames, dpopOriginsAtStart, listenerOrigins, serverOrigins } from './public-origins.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pkz-origins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made by OpenSSL for these subjectAltName entries. */
function certificate(san: string): Buffer {
  const out = path.join(dir, 'c.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-days', '1', '-subj', '/CN=chat', '-addext', `subjectAltName=${san}`],
      ...['-keyout', path.join(dir, 'k.pem'), '-out', out],
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(out);
}

const config = (c: Partial<PlatformConfig>) =>
  ({
    HOST: 'localhost',
    PAKAWAAZ_DEVICE_HOSTNAMES: ['localhost', '127.0.0.1'],
    PAKAWAAZ_PUBLIC_ORIGINS: [],
    ...c,
  }) as PlatformConfig;

describe('the origins a DPoP proof may name without PAKAWAAZ_PUBLIC_ORIGINS (RFC 9449 §4.3)', () => {
  it('the embedded default: the main port over HTTP and the device port over HTTPS, by loopback names', () => {
    const origins = serverOrigins(config({}), { main: 8080, device: 8443 });
    expect(origins).toEqual(
      expect.arrayContaining([
        'http://localhost:8080',
        'http://127.0.0.1:8080',
        'http://[::1]:8080',
        'https://localhost:8443',
        'https://127.0.0.1:8443',
      ]),
    );
    expect(origins).toHaveLength(6);
  });

  it('a certificate’s DNS names and addresses, its wildcard names left out; default ports dropped', () => {
    const pem = certificate('DNS:chat.gov.example,DNS:*.gov.example,IP:10.0.0.5');
    expect(certificateNames(pem)).toEqual(['chat.gov.example', '10.0.0.5']);
    const origins = serverOrigins(config({ HOST: '0.0.0.0' }), { main: 443, device: null }, { main: pem });
    expect(origins).toEqual(
      expect.arrayContaining(['https://chat.gov.example', 'https://10.0.0.5', 'https://localhost']),
    );
    expect(origins.some((o) => o.includes('*') || o.includes('0.0.0.0'))).toBe(false);
  });

  it('a named address is an origin; an attacker’s name never is, whatever Host the request claims', () => {
    const origins = listenerOrigins({ scheme: 'https', host: '10.1.2.3', port: 9443, names: [] });
    expect(origins).toEqual(['https://10.1.2.3:9443']);
    expect(serverOrigins(config({}), { main: 8080, device: 8443 })).not.toContain('http://evil.example:8080');
  });
});

describe('the origins in force at start', () => {
  const ports = { main: 8080, device: 8443 };
  const logger = () => ({ warn: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };

  it('PAKAWAAZ_PUBLIC_ORIGINS when set, and nothing else', () => {
    const log = logger();
    const set = config({ HOST: '0.0.0.0', PAKAWAAZ_PUBLIC_ORIGINS: ['https://chat.gov.example'] });
    expect(dpopOriginsAtStart(set, ports, undefined, log)).toEqual(['https://chat.gov.example']);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('unset on a server reachable from other machines: derived, and warned about; on loopback quietly', () => {
    const log = logger();
    expect(dpopOriginsAtStart(config({ HOST: '0.0.0.0' }), ports, undefined, log)).toContain(
      'https://localhost:8443',
    );
    expect(log.warn).toHaveBeenCalledWith(
      { origins: expect.arrayContaining(['http://localhost:8080']) as unknown },
      expect.stringContaining('PAKAWAAZ_PUBLIC_ORIGINS is unset'),
    );
    const quiet = logger();
    dpopOriginsAtStart(config({}), ports, undefined, quiet);
    expect(quiet.warn).not.toHaveBeenCalled();
  });
});
