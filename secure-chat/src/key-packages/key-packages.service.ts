import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  certificateThumbprint,
  DEVICE_AUTHENTICATOR,
  type DeviceAuthenticator,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import { mayReach } from '../bots/bot-directory.js';
import { CHAT_DIRECTORY, CHAT_WAKE, type ChatDirectory, type ChatWake } from '../chat-ports.js';
import { b64u } from '../mls/bytes.js';
import { MLS_LIMITS, MlsInputError, type KeyPackageFacts } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { secureChatError } from '../secure-chat.errors.js';
import { inlineKeyPackageReader, KEY_PACKAGE_READER, type KeyPackageReader } from './key-package-reader.js';
import { RemovalsRepository } from '../membership/removals.repository.js';
import { ChatPolicyEnforcer } from '../policy/chat-policy.enforcer.js';
import { KeyPackagesRepository, type NewKeyPackage } from './key-packages.repository.js';
import { liveCertificates } from './live-certificates.js';

export type ClaimedKeyPackage = { deviceId: string; keyPackage: string; lastResort: boolean };

/**
 * KeyPackages (RFC 9420 §10): a device publishes its own — the credential's certificate must be the very
 * certificate it authenticated with — and another official's device claims one per live device of an official
 * it may see, only under the certificate that authenticates the device now (RFC 9420 §5.3: the server checks
 * the credential before storing or handing out). One-time packages are consumed; the last-resort one stays;
 * packages under a certificate a renewal replaced are dropped; a device running low is told.
 */
@Injectable()
export class KeyPackagesService {
  constructor(
    private readonly repo: KeyPackagesRepository,
    @Inject(DEVICE_AUTHENTICATOR) private readonly devices: DeviceAuthenticator,
    @Inject(CHAT_DIRECTORY) private readonly directory: ChatDirectory,
    @Inject(CHAT_WAKE) private readonly wake: ChatWake,
    @Inject(SECURE_CHAT_CONFIG) private readonly config: SecureChatConfig,
    @Optional() @Inject(KEY_PACKAGE_READER) reader?: KeyPackageReader | null,
    // Devices taken out of chat (bound in SecureChatModule).
    @Optional() private readonly removals?: RemovalsRepository,
    // Chat policies (bound in SecureChatModule).
    @Optional() private readonly policy?: ChatPolicyEnforcer,
  ) {
    this.reader = reader ?? inlineKeyPackageReader;
  }

  private readonly reader: KeyPackageReader;

  /** Stores the calling device's packages (all or none); how many were new and how many one-time ones it has. */
  async upload(
    device: DevicePrincipal,
    packages: readonly Uint8Array[],
    now = new Date(),
  ): Promise<{ stored: number; oneTimeLeft: number }> {
    if (packages.length === 0 || packages.length > MLS_LIMITS.maxKeyPackagesPerUpload + 1)
      throw secureChatError(
        'invalid_chat_input',
        `Send 1 to ${MLS_LIMITS.maxKeyPackagesPerUpload} KeyPackages, and at most one last-resort package.`,
      );
    if ((await this.removals?.refusedAmong([device]))?.size)
      throw secureChatError('device_removed_from_chat', 'This device was taken out of chat.');
    const rows: NewKeyPackage[] = [];
    const read = await this.reader.readAll(packages);
    for (const [i, bytes] of packages.entries()) {
      const field = `keyPackages[${i}]`;
      const kp = await mlsInput(() => {
        const r = read[i]!;
        if (r instanceof MlsInputError) throw r;
        return r;
      }, field);
      this.checkOwn(device, kp, field, now);
      rows.push({
        ref: b64u(kp.ref),
        deviceId: device.deviceId,
        userId: device.userId,
        institutionId: device.institutionId,
        lastResort: kp.lastResort,
        keyPackage: Buffer.from(bytes),
        certificate: Buffer.from(kp.certificates[0]!),
        notAfter: kp.notAfter,
      });
    }
    const lastResort = rows.filter((r) => r.lastResort).length;
    if (lastResort > 1 || rows.length - lastResort > MLS_LIMITS.maxKeyPackagesPerUpload)
      throw secureChatError(
        'invalid_chat_input',
        `At most ${MLS_LIMITS.maxKeyPackagesPerUpload} one-time KeyPackages and one last-resort package.`,
      );
    const stored = await this.repo.db.transaction((tx) => this.repo.insert(device, rows, tx));
    return { stored, oneTimeLeft: await this.repo.oneTimeLeft(device, now) };
  }

  /**
   * One KeyPackage for each live device of an official the caller may see (the calling device excluded). An
   * official the caller may not see, unknown or inactive, is the same 404.
   */
  async claim(
    device: DevicePrincipal,
    ref: string,
    now = new Date(),
  ): Promise<{ userId: string; keyPackages: ClaimedKeyPackage[] }> {
    if ((await this.removals?.refusedAmong([device]))?.size)
      throw secureChatError('device_removed_from_chat', 'This device was taken out of chat.');
    const official = await this.directory.find(ref);
    if (!official?.active || !(await mayReach(this.directory, device.institutionId, official)))
      throw secureChatError('official_not_found', 'No official with this username or id that you may see.');
    await this.policy?.requirePair(device.institutionId, official.institutionId);
    const published = (await this.repo.certificatesOf(official.userId, now)).filter(
      (c) => c.deviceId !== device.deviceId,
    );
    const auths = [];
    for (const c of published) auths.push(await this.devices.authenticate([new Uint8Array(c.certificate)]));
    const { live, stale, touched } = liveCertificates(published, auths);
    const removed = await this.removals?.refusedAmong(
      [...new Set([...live.map((l) => l.deviceId), ...touched])].map((deviceId) => ({
        deviceId,
        userId: official.userId,
      })),
    );
    const claimable = live.filter((l) => !removed?.has(l.deviceId));
    const claimed = await this.repo.db.transaction(async (tx) => {
      await this.repo.dropUnder(stale, tx);
      return this.repo.claim(claimable, now, tx, device.deviceId);
    });
    const low = new Set([...claimed].filter(([, k]) => !k.lastResort).map(([d]) => d));
    for (const d of touched) if (!removed?.has(d)) low.add(d);
    for (const deviceId of low) {
      const cert = live.find((l) => l.deviceId === deviceId);
      const left = cert ? await this.repo.oneTimeLeft(cert, now) : 0;
      if (left < this.config.lowKeyPackages) this.wake.keyPackagesLow(deviceId, left);
    }
    return {
      userId: official.userId,
      keyPackages: [...claimed].map(([deviceId, k]) => ({
        deviceId,
        keyPackage: k.keyPackage.toString('base64url'),
        lastResort: k.lastResort,
      })),
    };
  }

  private checkOwn(device: DevicePrincipal, kp: KeyPackageFacts, field: string, now: Date): void {
    if (certificateThumbprint(kp.certificates[0]!) !== device.certThumbprint)
      throw secureChatError(
        'mls_credential_refused',
        `${field}: the credential's certificate is not this device's certificate.`,
        { field },
      );
    if (kp.notBefore > now || kp.notAfter <= now)
      throw secureChatError('key_package_expired', `${field}: its lifetime does not cover now.`, { field });
  }
}
