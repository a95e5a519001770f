import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@pakawaaz/platform';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

/** A GET over HTTPS that trusts only `ca` and checks the name; resolves with the status and body. */
function get(
  url: string,
  ca: Buffer,
  servername = 'localhost',
): Promise<{ status: number; body: string; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS with certificate files', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let otherKey: string;
  let server: TestServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-tls-'));
    cert = path.join(dir, 'noc.crt');
    key = path.join(dir, 'noc.key');
    otherKey = path.join(dir, 'other.key');
    // A self-signed certificate for localhost and 127.0.0.1, made by OpenSSL (not by us).
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
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey],
      {
        stdio: 'ignore',
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API and the sign-in over HTTPS on any address, and not plain HTTP', async () => {
    server = await startTestServer({
      HOST: '0.0.0.0',
      PAKAWAAZ_TLS_CERT_FILE: cert,
      PAKAWAAZ_TLS_KEY_FILE: key,
    });
    expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
    const port = new URL(server.url).port;
    const health = await get(`https://127.0.0.1:${port}/healthz`, readFileSync(cert));
    expect(health.status).toBe(200);
    // Browsers that reached it over HTTPS keep to HTTPS for a year.
    expect(health.hsts).toBe('max-age=31536000');
    // The test helper's fetch goes through the same TLS (trusting the certificate for this process).
    const login = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `https://127.0.0.1:${port}/api/v1/auth/login`,
        {
          method: 'POST',
          ca: readFileSync(cert),
          servername: 'localhost',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }));
    });
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body)).toMatchObject({ status: 'authenticated' });
    // Plain HTTP to the HTTPS port gets no API answer.
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    // A client that does not trust the certificate refuses the connection.
    await expect(get(`https://127.0.0.1:${port}/healthz`, Buffer.from(''))).rejects.toThrow();
  });

  it('refuses a non-loopback address without HTTPS, and a key that is not the certificate’s', async () => {
    await expect(startTestServer({ HOST: '0.0.0.0' })).rejects.toThrow(
      /PAKAWAAZ_TLS_CERT_FILE and PAKAWAAZ_TLS_KEY_FILE/,
    );
    const wrongKey = startTestServer({
      HOST: '127.0.0.1',
      PAKAWAAZ_TLS_CERT_FILE: cert,
      PAKAWAAZ_TLS_KEY_FILE: otherKey,
    });
    await expect(wrongKey).rejects.toBeInstanceOf(ConfigError);
    await expect(wrongKey).rejects.toThrow(/PAKAWAAZ_TLS_KEY_FILE/);
    const missing = startTestServer({
      HOST: '127.0.0.1',
      PAKAWAAZ_TLS_CERT_FILE: path.join(dir, 'absent.crt'),
      PAKAWAAZ_TLS_KEY_FILE: key,
    });
    await expect(missing).rejects.toThrow(/PAKAWAAZ_TLS_CERT_FILE: a readable PEM file; cannot read/);
  });
});
