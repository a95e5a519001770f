import 'reflect-metadata';
import { sign as signData, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '@peculiar/x509';

/**
 * A device CA made with real keys, for tests of the device factor (device management's CA implements the
 * same port later). Not used by the server.
 */
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const day = 86_400_000;

export type TestCa = { cert: X509Certificate; keys: CryptoKeyPair };
export type TestDevice = { cert: X509Certificate; keys: CryptoKeyPair; sign(text: string): Promise<Buffer> };

export async function createTestCa(name = 'Pakawaaz Test Device CA', now = new Date()): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + 365 * day),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, keys };
}

export async function issueTestDevice(
  ca: TestCa,
  opts: { serial?: string; now?: Date; validDays?: number; usage?: 'client' | 'server'; ca?: boolean } = {},
): Promise<TestDevice> {
  const now = opts.now ?? new Date();
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.create({
    serialNumber: opts.serial ?? '0a1b2c',
    subject: 'CN=handset-0001',
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + (opts.validDays ?? 30) * day),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(opts.ca ?? false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([
        opts.usage === 'server' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  // DER-encoded ECDSA signature, as Android's SHA256withECDSA produces.
  const sign = (text: string) =>
    Promise.resolve(
      signData('sha256', Buffer.from(text, 'utf8'), { key: pkcs8, format: 'der', type: 'pkcs8' }),
    );
  return { cert, keys, sign };
}
