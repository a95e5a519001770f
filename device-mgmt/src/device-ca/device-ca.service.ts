import { createHash, createPublicKey, webcrypto, type JsonWebKey } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  EVENT_BUS,
  LOGGER,
  type DatabaseHandle,
  type Db,
  type EventBus,
  type KeyService,
  type Logger,
} from '@pakawaaz/platform';
import { X509Certificate } from '@peculiar/x509';
import { DEVICE_MGMT_CONFIG, type DeviceMgmtConfig } from '../device-mgmt.config.js';
import { DeviceCertificatesRevoked } from '../device-mgmt.events.js';
import {
  buildCrl,
  certificatePem,
  createCaCertificate,
  issueBotCertificate,
  issueDeviceCertificate,
  issueServerCertificate,
  openDeviceCa,
  thumbprintOf,
  verifiedCsr,
  type DeviceCa,
  type IssuedDer,
  type VerifiedCsr,
} from './device-ca.js';
import { DeviceCaRepository } from './device-ca.repository.js';

/** The key service's name of the device CA key (a token object label with the PKCS#11 backend). */
export const DEVICE_CA_KEY = 'device-ca';
const CA_NAME = 'CN=Pakawaaz Device CA, O=Pakawaaz';
const CA_DAYS = 3650;
/** A CA certificate with less life left than this is replaced by a new one for the same key. */
const CA_RENEW_BEFORE_MS = 2 * 365 * 86_400_000;
const CA_LOCK = 0x706b6361; // "pkca"
const CRL_LIFE_MS = 24 * 3600_000;

/** The opened CA: the current certificate and key, and every CA certificate still trusted (rotation). */
export type DeviceCaState = { ca: DeviceCa; anchors: X509Certificate[] };
export const DEVICE_CA_STATE = Symbol.for('pakawaaz.device-mgmt.DeviceCaState');

const spkiOfJwk = (jwk: JsonWebKey): Buffer =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });

/**
 * Opens the device CA at start-up: the signing key from the key service (created 0600 on first start, like the
 * token-signing key; or an HSM object), and its CA certificate from the database — created under a
 * cluster-wide lock when this key has none (first start, or a rotated key).
 */
export async function openDeviceCaState(
  keys: KeyService,
  database: DatabaseHandle,
  config: DeviceMgmtConfig,
  logger: Logger,
  now = new Date(),
): Promise<DeviceCaState> {
  const signer = await keys.useSigner({ name: DEVICE_CA_KEY, file: config.caKeyFile, alg: 'ES256' });
  const spki = spkiOfJwk(signer.publicJwk);
  const keyId = createHash('sha256').update(spki).digest('base64url');
  const repo = new DeviceCaRepository(database);
  const rows = await database.withExclusiveLock(CA_LOCK, async () => {
    const found = await repo.caCertificates(now);
    if (found.some((r) => r.keyId === keyId && r.notAfter.getTime() - now.getTime() > CA_RENEW_BEFORE_MS))
      return found;
    const cert = await createCaCertificate({
      signer,
      publicKeySpki: spki,
      name: CA_NAME,
      now,
      validityDays: CA_DAYS,
    });
    await repo.addCaCertificate({
      serial: cert.serialNumber,
      keyId,
      der: Buffer.from(cert.rawData),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
    });
    logger.info({ serial: cert.serialNumber }, 'created the device CA certificate');
    return repo.caCertificates(now);
  });
  const anchors = rows.map((r) => new X509Certificate(r.der));
  const current = anchors.find((_, i) => rows[i]!.keyId === keyId)!;
  return { ca: await openDeviceCa(current, signer), anchors };
}

export type IssuedCertificate = { serial: string; thumbprint: string; pem: string; notAfter: Date };

/** The device CA at run time: issues and revokes device certificates, publishes its certificates and CRL. */
@Injectable()
export class DeviceCaService {
  private crlCache: { der: Uint8Array; until: number } | null = null;

  constructor(
    @Inject(DEVICE_CA_STATE) private readonly state: DeviceCaState,
    @Inject(DEVICE_MGMT_CONFIG) private readonly config: DeviceMgmtConfig,
    private readonly repo: DeviceCaRepository,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  get anchors(): readonly X509Certificate[] {
    return this.state.anchors;
  }

  caPems(): string[] {
    return this.state.anchors.map((c) => c.toString('pem'));
  }

  currentPem(): string {
    return this.state.ca.certificate.toString('pem');
  }

  /** Issues and records a certificate (in the caller's transaction, so enrolment is all or nothing). */
  async issue(
    o: {
      csr: VerifiedCsr;
      attestedSpki: Uint8Array | null;
      deviceId: string;
      userId: string;
      imei: string | null;
    },
    tx?: Db,
  ): Promise<IssuedCertificate> {
    const now = new Date();
    const cert = await issueDeviceCertificate(this.state.ca, {
      ...o,
      now,
      validityDays: this.config.certificateValidityDays,
    });
    return this.record(o.deviceId, cert, tx);
  }

  private async record(deviceId: string, cert: IssuedDer, tx?: Db): Promise<IssuedCertificate> {
    const der = cert.der;
    const serial = cert.serialHex;
    const thumbprint = thumbprintOf(der);
    await this.repo.insert(
      {
        serial,
        deviceId,
        thumbprint,
        der: Buffer.from(der),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
      },
      tx,
    );
    return { serial, thumbprint, pem: certificatePem(der), notAfter: cert.notAfter };
  }

  /** A bot's certificate for the key of its CSR (PKCS#10 DER, self-signature checked), recorded under its id. */
  async issueBot(
    botId: string,
    institutionId: string,
    csrDer: Uint8Array,
    tx?: Db,
  ): Promise<IssuedCertificate> {
    const csr = await verifiedCsr(csrDer);
    const now = new Date();
    const cert = await issueBotCertificate(this.state.ca, {
      csr,
      botId,
      institutionId,
      now,
      validityDays: this.config.certificateValidityDays,
    });
    return this.record(botId, cert, tx);
  }

  async revokeForDevice(deviceId: string, reason: string, tx?: Db, keep?: string): Promise<string[]> {
    const serials = await this.repo.revokeForDevice(deviceId, reason, new Date(), tx, keep);
    if (serials.length) this.crlCache = null;
    return serials;
  }

  /** After a revocation committed elsewhere (another transaction): the next CRL request rebuilds it. */
  invalidateCrl(): void {
    this.crlCache = null;
  }

  /**
   * Once a revocation has committed: the CRL is rebuilt on the next request, and DeviceCertificatesRevoked
   * tells every node (its embedded MQTT broker closes the connections these certificates hold). A retired or
   * wiped device is announced even with nothing left to revoke: none of its connections may stay. A failure to
   * publish is logged — the revocation stands, and the broker refuses the device's next connect anyway.
   */
  async announceRevoked(
    deviceId: string,
    serials: readonly string[],
    reason: 'wiped' | 'lost' | 'retired' | 'superseded',
  ): Promise<void> {
    this.crlCache = null;
    if (!this.bus || (serials.length === 0 && (reason === 'lost' || reason === 'superseded'))) return;
    try {
      await this.bus.publish(
        DeviceCertificatesRevoked.create({ deviceId, serials: serials.slice(0, 100), reason }),
      );
    } catch (err) {
      this.logger?.error({ err, deviceId }, 'announcing a certificate revocation failed');
    }
  }

  /** The CRL (DER), rebuilt at most once a minute on this node, at once after a revocation here. */
  async crl(now = new Date()): Promise<Uint8Array> {
    if (this.crlCache && this.crlCache.until > now.getTime()) return this.crlCache.der;
    const revoked = await this.repo.revokedUnexpired(now);
    const der = await buildCrl(this.state.ca, {
      entries: revoked.map((r) => ({
        serialHex: r.serial.length % 2 ? `0${r.serial}` : r.serial,
        revokedAt: r.revokedAt!,
        reason: r.revocationReason ?? 'unspecified',
      })),
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_LIFE_MS),
    });
    this.crlCache = { der, until: now.getTime() + 60_000 };
    return der;
  }

  /** A fresh P-256 key in memory and a server certificate for the device edge's host names. */
  async serverIdentity(
    hostnames: readonly string[],
  ): Promise<{ certPem: string; keyPem: string; chainPem: string }> {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const cert = await issueServerCertificate(this.state.ca, {
      publicKeySpki: new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey)),
      hostnames: hostnames.length ? hostnames : ['localhost'],
      now: new Date(),
      validityDays: 365,
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
    return { certPem: cert.toString('pem'), keyPem, chainPem: this.currentPem() };
  }
}
