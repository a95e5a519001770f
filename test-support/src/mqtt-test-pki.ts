import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { createTestCa, type TestCa } from './device-test-ca.js';

/**
 * PEM identities for TLS tests of the device edge (the MQTT broker): a device CA, server certificates for
 * loopback, and device certificates whose CN is the device id (as the device CA issues them).
 */
export type PemIdentity = { certPem: string; keyPem: string };
export type PemCa = { ca: TestCa; certPem: string };

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const day = 86_400_000;
let serial = 1;

const keyPem = async (key: webcrypto.CryptoKey) => {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
};

export async function createPemCa(name = 'Pakawaaz Test Device CA'): Promise<PemCa> {
  const ca = await createTestCa(name);
  return { ca, certPem: ca.cert.toString('pem') };
}

async function issue(
  ca: PemCa,
  subject: string,
  usage: 'client' | 'server',
  hostnames: readonly string[] = [],
): Promise<PemIdentity> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    subject: `CN=${subject}`,
    issuer: ca.ca.cert.subject,
    notBefore: new Date(now - day),
    notAfter: new Date(now + 30 * day),
    publicKey: keys.publicKey,
    signingKey: ca.ca.keys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([
        usage === 'server' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
      ]),
      ...(hostnames.length
        ? [
            new SubjectAlternativeNameExtension(
              hostnames.map((h) =>
                /^[\d.]+$|:/.test(h) ? { type: 'ip', value: h } : { type: 'dns', value: h },
              ),
            ),
          ]
        : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

export const issueServerPem = (ca: PemCa, hostnames: readonly string[] = ['localhost', '127.0.0.1']) =>
  issue(ca, hostnames[0] ?? 'localhost', 'server', hostnames);

export const issueDevicePem = (ca: PemCa, deviceId: string) => issue(ca, deviceId, 'client');
