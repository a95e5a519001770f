import { createHash, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Db, DeviceAuthentication, DeviceAuthenticator, DeviceEdgeTls } from '@pakawaaz/platform';
import type { DeviceTrust } from '@pakawaaz/identity';
import type { DeviceCertificates } from '../devices/device-ports.js';
import { PoliciesService } from '../policies/policies.service.js';
import { botOfCertificate, type BotCertificates, type BotOfCertificate } from './bot-certificates.js';
import { DeviceCaRepository } from './device-ca.repository.js';
import { DeviceCaService } from './device-ca.service.js';

const MAX_LEAF_BYTES = 8192;
/** Signature checks remembered per node (a certificate's bytes never change); cleared when full. */
const MEMO_MAX = 50_000;

type Checked =
  { ok: true; notBefore: number; notAfter: number; bot: BotOfCertificate | null } | { ok: false };

/**
 * The device CA's answers to the other slices: the platform guard's DEVICE_AUTHENTICATOR (every device request:
 * kept to one native signature check, remembered, and one indexed query), identity's DEVICE_TRUST (the device
 * factor), the device edge's TLS identity, DEVICE_CERTIFICATES (revocation on wipe, loss, retirement) and
 * BOT_CERTIFICATES (secure chat's e-Office bots: a certificate of this CA, never a handset).
 */
@Injectable()
export class DeviceCaPorts
  implements DeviceAuthenticator, DeviceTrust, DeviceEdgeTls, DeviceCertificates, BotCertificates
{
  private readonly checked = new Map<string, Checked>();
  private anchorKeys: { subject: string; key: KeyObject }[] | undefined;

  constructor(
    private readonly ca: DeviceCaService,
    private readonly repo: DeviceCaRepository,
    private readonly policies: PoliciesService,
  ) {}

  async authenticate(chain: readonly Uint8Array[]): Promise<DeviceAuthentication> {
    const leaf = chain[0];
    if (!leaf || leaf.length > MAX_LEAF_BYTES) return { ok: false, reason: 'untrusted' };
    const thumbprint = createHash('sha256').update(leaf).digest('base64url');
    const checked = this.check(thumbprint, leaf);
    if (!checked.ok) return { ok: false, reason: 'untrusted' };
    const now = Date.now();
    if (now < checked.notBefore || now > checked.notAfter) return { ok: false, reason: 'expired' };
    if (checked.bot) return this.authenticateBot(thumbprint, checked.bot);
    const row = await this.repo.byThumbprint(thumbprint);
    if (!row) return { ok: false, reason: 'unknown_device' };
    const device = {
      deviceId: row.deviceId,
      userId: row.userId,
      institutionId: row.institutionId,
      certThumbprint: thumbprint,
      compliance: row.compliance,
      kind: row.kind,
    };
    if (row.revokedAt)
      return row.revocationReason === 'superseded' && row.state === 'active'
        ? { ok: false, reason: 'revoked', replaced: device }
        : { ok: false, reason: 'revoked' };
    if (row.state === 'wiped' || row.state === 'retired') return { ok: false, reason: 'device_retired' };
    // The policy in force now, not only the retirement its change runs after storing it (which may lag).
    if (row.kind === 'desktop') {
      const policy = await this.policies.atVersions(row.policyVersion, row.nationalPolicyVersion);
      if (!policy.settings.allowDesktop) return { ok: false, reason: 'desktop_forbidden' };
    }
    return { ok: true, device };
  }

  /** A bot's certificate: recorded for this bot and not revoked (disabling a bot revokes its certificates). */
  private async authenticateBot(thumbprint: string, bot: BotOfCertificate): Promise<DeviceAuthentication> {
    const row = await this.repo.certificateByThumbprint(thumbprint);
    if (!row || row.deviceId !== bot.botId) return { ok: false, reason: 'unknown_device' };
    if (row.revokedAt) return { ok: false, reason: 'revoked' };
    return {
      ok: true,
      device: {
        deviceId: bot.botId,
        userId: bot.botId,
        institutionId: bot.institutionId,
        certThumbprint: thumbprint,
        compliance: 'compliant',
        kind: 'bot',
      },
    };
  }

  /** Issued by one of our CA certificates (native X.509 parse and ECDSA check), and not a CA itself. */
  private check(thumbprint: string, der: Uint8Array): Checked {
    const memo = this.checked.get(thumbprint);
    if (memo) return memo;
    let result: Checked = { ok: false };
    try {
      const cert = new NodeX509(der);
      this.anchorKeys ??= this.ca.anchors.map((a) => {
        const n = new NodeX509(new Uint8Array(a.rawData));
        return { subject: n.subject, key: n.publicKey };
      });
      const signedByUs = this.anchorKeys.some((a) => a.subject === cert.issuer && cert.verify(a.key));
      if (signedByUs && !cert.ca)
        result = {
          ok: true,
          notBefore: Date.parse(cert.validFrom),
          notAfter: Date.parse(cert.validTo),
          bot: botOfCertificate(cert),
        };
    } catch {
      result = { ok: false };
    }
    if (this.checked.size >= MEMO_MAX) this.checked.clear();
    this.checked.set(thumbprint, result);
    return result;
  }

  // ── identity's DEVICE_TRUST ──
  anchors(): Promise<readonly Uint8Array[]> {
    return Promise.resolve(this.ca.anchors.map((a) => new Uint8Array(a.rawData)));
  }

  /**
   * A serial the CA never issued counts as revoked: identity trusts only what we vouch for. So does a bot's
   * certificate: it is no handset, and no official's device factor.
   */
  async isRevoked(serialHex: string): Promise<boolean> {
    const row = await this.repo.bySerial(serialHex.toLowerCase().replace(/^0+(?=.)/, ''));
    if (!row || row.revokedAt !== null || botOfCertificate(new NodeX509(row.der)) !== null) return true;
    // An official's browser (desktop device) is no handset either: its key proves no sign-in.
    return (await this.repo.byThumbprint(row.thumbprint))?.kind === 'desktop';
  }

  async bindingOf(certThumbprint: string): Promise<{ userId: string; deviceId: string } | null> {
    const row = await this.repo.byThumbprint(certThumbprint);
    if (!row || row.revokedAt || row.state === 'wiped' || row.state === 'retired') return null;
    if (row.kind === 'desktop') return null;
    return { userId: row.userId, deviceId: row.deviceId };
  }

  hasDevice(userId: string): Promise<boolean> {
    return this.repo.hasLiveDevice(userId, new Date());
  }

  // ── the device edge's TLS identity ──
  clientCas(): Promise<readonly string[]> {
    return Promise.resolve(this.ca.caPems());
  }

  serverIdentity(hostnames: readonly string[]) {
    return this.ca.serverIdentity(hostnames);
  }

  // ── BOT_CERTIFICATES ──
  issueBot(botId: string, institutionId: string, csrDer: Uint8Array, tx?: Db) {
    return this.ca.issueBot(botId, institutionId, csrDer, tx);
  }

  async revokeBot(botId: string): Promise<number> {
    const serials = await this.ca.revokeForDevice(botId, 'retired');
    this.ca.invalidateCrl();
    return serials.length;
  }

  // ── DEVICE_CERTIFICATES ──
  async revokeForDevice(
    deviceId: string,
    reason: 'wiped' | 'lost' | 'retired' | 'superseded',
  ): Promise<number> {
    const serials = await this.ca.revokeForDevice(deviceId, reason);
    await this.ca.announceRevoked(deviceId, serials, reason);
    return serials.length;
  }
}
