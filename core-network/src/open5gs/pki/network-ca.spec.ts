import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { validateNetworkSpec, type NetworkSpecInput } from '../../network-spec/network-spec.js';
import { issueNetworkCertificates, openNetworkCa, type TlsFile } from './network-ca.js';
import { writeTlsFiles } from './write-tls-files.js';

/*
 * The network CA through the real kernel key service (file backend) and checked by real tools: OpenSSL
 * verifies each chain for the TLS server and client purposes and the names an NF is reached by.
 */

const logger = createLogger({ level: 'silent' });
const tmp = () => mkdtemp(path.join(tmpdir(), 'pkz-netca-'));

const SPEC: NetworkSpecInput = {
  networkName: { full: 'Test' },
  plmn: { mcc: '001', mnc: '01' },
  tacs: [1],
  slices: [{ sst: 1 }],
  dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
  diameter: { tls: true, hss: { address: '10.0.0.8' }, mme: { address: '10.0.0.2' } },
  sbi: { tls: true },
};
const spec = (() => {
  const r = validateNetworkSpec(SPEC);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
})();

function openssl(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const file = (files: TlsFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} missing`);
  return f;
};

describe('network CA', () => {
  it('issues per-NF certificates that OpenSSL verifies as TLS server and client, for the names peers use', async () => {
    const dir = await tmp();
    const keys = new KeyService(new FileKeyBackend(), logger);
    const ca = await openNetworkCa(keys, path.join(dir, 'keys', 'network-ca.jwk'));
    const files = await issueNetworkCertificates(ca, spec, { now: new Date(), validityDays: 30 });
    await writeTlsFiles(path.join(dir, 'tls'), files);
    const at = (n: string) => path.join(dir, 'tls', n);

    // The 10 SBI NFs and the Diameter NFs (the SMF is both: one certificate with both names).
    expect(files.map((f) => f.name).filter((n) => n.endsWith('.crt'))).toEqual(
      [
        'ca',
        'amf',
        'smf',
        'nrf',
        'scp',
        'ausf',
        'udm',
        'udr',
        'pcf',
        'nssf',
        'bsf',
        'mme',
        'hss',
        'pcrf',
      ].map((n) => `${n}.crt`),
    );
    for (const purpose of ['sslserver', 'sslclient']) {
      const r = openssl([
        'verify',
        '-CAfile',
        at('ca.crt'),
        '-purpose',
        purpose,
        at('nrf.crt'),
        at('hss.crt'),
      ]);
      expect(r, purpose).toEqual({ ok: true, out: `${at('nrf.crt')}: OK\n${at('hss.crt')}: OK\n` });
    }
    expect(
      openssl([
        'verify',
        '-CAfile',
        at('ca.crt'),
        '-verify_hostname',
        'nrf.5gc.mnc001.mcc001.3gppnetwork.org',
        at('nrf.crt'),
      ]).ok,
    ).toBe(true);
    expect(openssl(['verify', '-CAfile', at('ca.crt'), '-verify_ip', '127.0.0.10', at('nrf.crt')]).ok).toBe(
      true,
    );
    expect(
      openssl([
        'verify',
        '-CAfile',
        at('ca.crt'),
        '-verify_hostname',
        'hss.epc.mnc001.mcc001.3gppnetwork.org',
        at('hss.crt'),
      ]).ok,
    ).toBe(true);
    expect(openssl(['verify', '-CAfile', at('ca.crt'), '-verify_ip', '10.0.0.8', at('hss.crt')]).ok).toBe(
      true,
    );
    // Another NF's name, or another CA, fails.
    const wrongName = openssl([
      'verify',
      '-CAfile',
      at('ca.crt'),
      '-verify_hostname',
      'amf.5gc.mnc001.mcc001.3gppnetwork.org',
      at('nrf.crt'),
    ]);
    expect(wrongName.ok).toBe(false);
    expect(wrongName.out).toContain('hostname mismatch');
    const other = await openNetworkCa(keys, path.join(dir, 'keys', 'other-ca.jwk'));
    await writeFile(path.join(dir, 'other.crt'), other.certificate.toString('pem'));
    expect(openssl(['verify', '-CAfile', path.join(dir, 'other.crt'), at('nrf.crt')]).ok).toBe(false);

    // SANs, EKU, CA constraints as OpenSSL reads them.
    const smf = openssl([
      'x509',
      '-in',
      at('smf.crt'),
      '-noout',
      '-ext',
      'subjectAltName,extendedKeyUsage,basicConstraints',
    ]).out;
    expect(smf).toContain(
      'DNS:smf.5gc.mnc001.mcc001.3gppnetwork.org, DNS:smf.epc.mnc001.mcc001.3gppnetwork.org, IP Address:127.0.0.4',
    );
    expect(smf).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(smf).toContain('CA:FALSE');
    const caText = openssl(['x509', '-in', at('ca.crt'), '-noout', '-ext', 'basicConstraints,keyUsage']).out;
    expect(caText).toContain('CA:TRUE, pathlen:0');
    expect(caText).toContain('Certificate Sign, CRL Sign');

    // Each key is its certificate's, and only the keys are private.
    const amfCert = new NodeX509(await readFile(at('amf.crt')));
    expect(amfCert.checkPrivateKey(createPrivateKey(await readFile(at('amf.key'))))).toBe(true);
    expect((await stat(at('amf.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(at('amf.crt'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(dir, 'tls'))).mode & 0o777).toBe(0o700);
    expect(file(files, 'hosts').content).toContain('127.0.0.10\tnrf.5gc.mnc001.mcc001.3gppnetwork.org\n');
  });

  it('is the same CA on every run with the same key: certificates issued earlier still verify', async () => {
    const dir = await tmp();
    const keyFile = path.join(dir, 'keys', 'network-ca.jwk');
    const first = await openNetworkCa(new KeyService(new FileKeyBackend(), logger), keyFile);
    const earlier = await issueNetworkCertificates(first, spec, { now: new Date(), validityDays: 30 });
    // A later run (another process): the key file is read, not re-created.
    const again = await openNetworkCa(new KeyService(new FileKeyBackend(), logger), keyFile);
    expect(again.certificate.serialNumber).toBe(first.certificate.serialNumber);
    expect(again.certificate.subject).toBe(first.certificate.subject);
    expect(again.certificate.subject).toMatch(/^CN=Pakawaaz Network CA [0-9a-f]{8}, O=Pakawaaz$/);
    await writeFile(path.join(dir, 'ca.crt'), again.certificate.toString('pem'));
    await writeFile(path.join(dir, 'amf.crt'), file(earlier, 'amf.crt').content);
    expect(openssl(['verify', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, 'amf.crt')]).ok).toBe(true);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it('issues nothing but the CA for a spec without TLS', async () => {
    const plain = validateNetworkSpec({ ...SPEC, diameter: {}, sbi: {} });
    if (!plain.ok) throw new Error('invalid');
    const ca = await openNetworkCa(
      new KeyService(new FileKeyBackend(), logger),
      path.join(await tmp(), 'ca.jwk'),
    );
    const files = await issueNetworkCertificates(ca, plain.spec, { now: new Date(), validityDays: 30 });
    expect(files.map((f) => f.name)).toEqual(['ca.crt']);
  });
});
