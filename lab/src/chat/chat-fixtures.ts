// Test kit for the chat SDK: a device PKI and an in-memory delivery service that follows docs/secure-chat.md.
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
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { externalSenderCredential, newExternalSenderKey } from '@pakawaaz/mls';
import { identityOf } from './chat-auth.js';
import type { ChatDevice } from './chat-core.js';
import type { ChatCommit, ChatEnvelope } from './chat-types.js';
import { leavesOf, MLS_LIMITS, mlsFromWire } from './mls-glue.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { ...EC, hash: 'SHA-256' } as const;

/** A private key as PKCS#8 PEM. */
export async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const b64 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** A device CA and a way to issue device certificates shaped like device-mgmt's (CN, SAN device/user URNs). */
export async function testDeviceCa(name = 'CN=Test Device CA') {
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 30 * 86_400_000);
  const ca = await X509CertificateGenerator.createSelfSigned({
    name,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: SIGN,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ],
  });
  const caDer = new Uint8Array(ca.rawData);
  return {
    caDer,
    caPem: ca.toString('pem'),
    /** A TLS server certificate for localhost under the same CA (the device edge's). */
    async server() {
      const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
      const cert = await X509CertificateGenerator.create({
        subject: 'CN=localhost',
        issuer: ca.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: SIGN,
        extensions: [
          new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
          new SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
    },
    async device(deviceId: string, userId: string, validity = { notBefore, notAfter }) {
      const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
      const cert = await X509CertificateGenerator.create({
        subject: `CN=${deviceId}`,
        issuer: ca.subject,
        ...validity,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: SIGN,
        extensions: [
          new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth]),
          new SubjectAlternativeNameExtension([
            { type: 'url', value: `urn:pakawaaz:device:${deviceId}` },
            { type: 'url', value: `urn:pakawaaz:user:${userId}` },
          ]),
        ],
      });
      return {
        keyPem: await keyPem(keys.privateKey),
        certificateDer: new Uint8Array(cert.rawData),
        certPem: cert.toString('pem'),
      };
    },
  };
}

/** The server's external-sender key and credential, as @pakawaaz/mls makes them. */
export function testExternalSender() {
  const key = newExternalSenderKey();
  return {
    key,
    signKey: key.privateKey,
    signatureKey: key.publicKey,
    credential: externalSenderCredential(),
  };
}

export type TestDevice = ChatDevice & { deviceId: string };

/**
 * The delivery service's behaviour in memory: GroupInfo per group (its tree says who receives), commits only
 * for the current epoch (else 409 with what the device missed), per-device queues, Welcomes to added devices.
 */
export class MemoryDeliveryService {
  readonly groups = new Map<string, { epoch: bigint; groupInfo: string; members: Set<string> }>();
  readonly queues = new Map<string, ChatEnvelope[]>();
  /** Devices the service has stopped delivering to (revoked). */
  readonly cut = new Set<string>();

  private membersOf(groupInfo: string): { epoch: bigint; members: Set<string> } {
    const m = mlsFromWire(groupInfo, MLS_LIMITS.groupInfoOrWelcome);
    if (m.wireformat !== 'mls_group_info') throw new Error('not a GroupInfo');
    const tree = ratchetTreeFromExtension(m.groupInfo);
    if (!tree) throw new Error('mls_group_info_tree_missing');
    const ids = leavesOf({ ratchetTree: tree }).map((l) => identityOf(l.credential)?.deviceId ?? '?');
    return { epoch: m.groupInfo.groupContext.epoch, members: new Set(ids) };
  }

  private push(deviceId: string, env: ChatEnvelope) {
    if (this.cut.has(deviceId)) return;
    const q = this.queues.get(deviceId) ?? [];
    q.push(env);
    this.queues.set(deviceId, q);
  }

  register(groupId: string, groupInfo: string): void {
    const g = this.membersOf(groupInfo);
    this.groups.set(groupId, { ...g, groupInfo });
  }

  /** POST a commit: 200 and fan-out, or 409 mls_stale_epoch. */
  commit(
    from: string,
    c: ChatCommit,
  ): { status: 200 } | { status: 409; code: 'mls_stale_epoch'; epoch: bigint } {
    const g = this.groups.get(c.groupId)!;
    if (c.epoch !== g.epoch) return { status: 409, code: 'mls_stale_epoch', epoch: g.epoch };
    const next = this.membersOf(c.groupInfo);
    for (const d of new Set([...g.members, ...next.members]))
      if (d !== from && g.members.has(d))
        this.push(d, { kind: 'commit', groupId: c.groupId, message: c.commit });
    if (c.welcome)
      for (const d of next.members)
        if (!g.members.has(d)) this.push(d, { kind: 'welcome', groupId: c.groupId, message: c.welcome });
    this.groups.set(c.groupId, { ...next, groupInfo: c.groupInfo });
    return { status: 200 };
  }

  /** An application message or proposal, fanned out to the other members. */
  send(from: string, groupId: string, kind: 'application' | 'proposal', message: string): void {
    for (const d of this.groups.get(groupId)!.members)
      if (d !== from) this.push(d, { kind, groupId, message });
  }

  /** Takes a device's queue (delivery + ack in one step). */
  drain(deviceId: string): ChatEnvelope[] {
    const q = this.queues.get(deviceId) ?? [];
    this.queues.set(deviceId, []);
    return q;
  }
}
