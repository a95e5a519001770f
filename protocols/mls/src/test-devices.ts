// Test support of the MLS glue's specs (not exported): devices with X.509 credentials a test CA issued.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  createGroupInfoWithExternalPubAndRatchetTree,
  defaultCapabilities,
  defaultLifetime,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
} from 'ts-mls';
import { MlsInputError } from './errors.js';
import { chatSuite } from './suite.js';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const year = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 365 * 86_400_000) };

export type Device = { cert: Uint8Array; signKey: Uint8Array; publicKey: Uint8Array };
export type Package = { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage };

let ca: Promise<{ keys: CryptoKeyPair; cert: x509.X509Certificate }> | undefined;
let serial = 2;

async function testCa() {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test Device CA',
    keys,
    signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    ...year,
  });
  return { keys, cert };
}

/** A device whose P-256 key (`keys`, or a new one) is in a certificate the test CA issued. */
export async function device(name: string, keys?: CryptoKeyPair): Promise<Device> {
  const issuer = await (ca ??= testCa());
  const pair = keys ?? (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    publicKey: pair.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC,
    ...year,
  });
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
  const b = (s: string | undefined) => Buffer.from(s!, 'base64url');
  return {
    cert: new Uint8Array(cert.rawData),
    signKey: new Uint8Array(b(jwk.d)),
    publicKey: Uint8Array.from([4, ...b(jwk.x), ...b(jwk.y)]),
  };
}

export async function keyPackage(
  d: Device,
  certificates = [d.cert],
  lifetime = defaultLifetime,
): Promise<Package> {
  return generateKeyPackageWithKey(
    { credentialType: 'x509', certificates },
    defaultCapabilities(),
    lifetime,
    [],
    { signKey: d.signKey, publicKey: d.publicKey },
    await chatSuite(),
  );
}

export const kpBytes = (p: Package) =>
  encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: p.publicPackage });

export async function groupInfoBytes(state: ClientState): Promise<Uint8Array> {
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], await chatSuite());
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
}

/** The code of the MlsInputError `p` is refused with (anything else fails the test). */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MlsInputError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}
