import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateValidityNotice } from './tls.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pkz-tls-notice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made by OpenSSL, valid from now for `days`. */
function certificate(days: number): Buffer {
  const out = path.join(dir, `c${days}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      String(days),
      '-subj',
      '/CN=noc',
      '-keyout',
      path.join(dir, 'k.pem'),
      '-out',
      out,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(out);
}

const DAY = 86_400_000;

describe('the served certificate at start-up', () => {
  const cert = certificate(90);
  const now = Date.now();

  it('says nothing while it has more than 30 days', () => {
    expect(certificateValidityNotice(cert, new Date(now + DAY))).toBeNull();
  });

  it('warns inside the last 30 days, with the days left', () => {
    const notice = certificateValidityNotice(cert, new Date(now + 70 * DAY));
    expect(notice?.level).toBe('warn');
    expect(notice?.message).toMatch(/expires in (19|20) days/);
  });

  it('is an error once expired or before it is valid', () => {
    const expired = certificateValidityNotice(cert, new Date(now + 91 * DAY));
    expect(expired?.level).toBe('error');
    expect(expired?.message).toContain('expired on');
    expect(certificateValidityNotice(cert, new Date(now - 2 * DAY))?.level).toBe('error');
  });
});
