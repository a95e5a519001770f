import 'reflect-metadata';
import { sign as signData } from 'node:crypto';
import { verifyAppInstall, type StoreIndex, type VerifiedApp } from './app-installer.js';
import { CatalogueClient } from './catalogue-client.js';
import {
  randomImei,
  type CheckInReply,
  type Enrolment,
  type HandsetOptions,
  type SavedHandset,
} from './handset-options.js';
import { healthyLabAttestation, type LabAttestation } from './lab-attestation.js';
import { HandsetHttpError } from './http-error.js';
import { LabHandset } from './lab-handset.js';
import { mtlsFetch, type MtlsFetch } from './mtls-fetch.js';
import {
  failsUpdate,
  obey,
  reportApps,
  type Acknowledgement,
  type DeviceCommand,
  type HandsetState,
} from './obey.js';
import { fetchVerifiedUpdate, provisionTrustedRoot, type VerifiedUpdate } from './ota-client.js';
import { KeyUpkeep } from './handset-upkeep.js';
import { CheckInWaker, PushLink, type WakeHooks } from './handset-push.js';

export {
  randomImei,
  type CheckInReply,
  type Enrolment,
  type HandsetOptions,
  type SavedHandset,
} from './handset-options.js';

/**
 * A simulated hardened handset: it enrols with a lab-attested key (the same KeyDescription ASN.1 as a real
 * device), then checks in over mutual TLS with its device certificate and obeys the commands it receives,
 * acknowledging each with its next check-in.
 */
export class SimulatedHandset {
  readonly imei: string;
  readonly serial: string;
  state: HandsetState;
  enrolment: Enrolment | null = null;
  private keyPem: string | null = null;
  private device: MtlsFetch | null = null;
  private readonly api = mtlsFetch();
  private acks: Acknowledgement[] = [];
  private policyVersion = 0;
  private catalogue: CatalogueClient<StoreIndex> | null = null;
  private readonly now: () => Date;
  private readonly waker = new CheckInWaker(this);
  private readonly push = new PushLink(() => this.wake());
  /** Re-attestation and certificate renewal (key-upkeep.ts), on schedule and on command. */
  readonly upkeep = new KeyUpkeep({
    call: (method, path, body) => this.deviceCall(method, path, body),
    attests: (challenge) => this.attests(challenge),
    root: () => this.o.root,
    now: () => this.now(),
    renewed: (certificatePem, caPems) => this.useCertificate(certificatePem, caPems),
  });

  constructor(private readonly o: HandsetOptions) {
    this.now = o.now ?? (() => new Date());
    this.imei = o.imei ?? randomImei();
    this.serial = o.serial ?? `SIM${this.imei.slice(-8)}`;
    this.state = {
      locked: false,
      retired: false,
      lostMode: false,
      lastBootAt: new Date(this.now().getTime() - 3_600_000).toISOString(),
      apps: [{ package: 'org.pakawaaz.agent', versionCode: 1 }],
      osBuild: 'PKZ.250101.001',
    };
  }

  get deviceId(): string | null {
    return this.enrolment?.deviceId ?? null;
  }

  /** Challenge → attested key → CSR → device certificate. Throws HandsetHttpError with the server's refusal. */
  async enrol(token: string): Promise<Enrolment> {
    const enrolled = await new LabHandset(this.o.root, (c) => this.attests(c)).enrol(this.o.apiUrl, token);
    this.keyPem = enrolled.keyPem;
    this.enrolment = {
      deviceId: enrolled.deviceId,
      certificatePem: enrolled.certificatePem,
      caPems: enrolled.caPems,
      checkInIntervalSeconds: enrolled.checkInIntervalSeconds,
      attestedAt: this.now().toISOString(),
    };
    this.upkeep.reset(enrolled.keyPem, this.enrolment);
    this.device?.close();
    this.catalogue = null;
    this.device = mtlsFetch(
      { certPem: enrolled.certificatePem, keyPem: enrolled.keyPem, caPems: enrolled.caPems },
      1,
    );
    return this.enrolment;
  }

  /** What the hardware attests for a challenge: a healthy handset, with this one's identifiers. */
  private attests(challenge: Uint8Array): LabAttestation {
    return {
      ...healthyLabAttestation(challenge),
      imei: this.imei,
      serial: this.serial,
      ...(this.o.model ? { model: this.o.model } : {}),
      ...this.o.attest,
    };
  }

  /** What a handset must keep to resume after a restart (its private key in clear: keep the file 0600). */
  saved(): SavedHandset | null {
    if (!this.enrolment || !this.keyPem) return null;
    const attestedAt = this.upkeep.attestedAt?.toISOString();
    return {
      imei: this.imei,
      serial: this.serial,
      keyPem: this.keyPem,
      enrolment: { ...this.enrolment, ...(attestedAt ? { attestedAt } : {}) },
      state: this.state,
    };
  }

  /** A handset that enrolled before (see `saved()`), ready to check in again. */
  static restore(o: HandsetOptions, saved: SavedHandset): SimulatedHandset {
    const h = new SimulatedHandset({ ...o, imei: saved.imei, serial: saved.serial });
    h.state = saved.state;
    h.enrolment = saved.enrolment;
    h.keyPem = saved.keyPem;
    h.upkeep.reset(saved.keyPem, saved.enrolment);
    h.device = mtlsFetch(
      { certPem: saved.enrolment.certificatePem, keyPem: saved.keyPem, caPems: saved.enrolment.caPems },
      1,
    );
    return h;
  }

  /** One check-in: the report and the acknowledgements owed; the commands received are obeyed at once. */
  async checkIn(): Promise<CheckInReply> {
    if (!this.device || !this.enrolment) throw new Error('enrol the handset first');
    if (this.state.retired) throw new Error('the handset was wiped or relinquished');
    // Re-attest or renew first when due: the check-in then goes out with a fresh certificate and evidence.
    await this.upkeep.whenDue();
    const acknowledgements = this.acks;
    const apps = reportApps(this.state.apps, { crashApps: this.o.crashApps ?? false });
    this.state = { ...this.state, apps: apps.apps };
    const reply = await this.json<CheckInReply>(
      this.device,
      this.o.deviceUrl,
      'POST',
      '/api/v1/device/check-in',
      {
        ...this.report(apps.report),
        ...(acknowledgements.length > 0 ? { acknowledgements } : {}),
      },
    );
    this.acks = this.acks.filter((a) => !acknowledgements.includes(a));
    if (reply.policy) this.policyVersion = reply.policy.version;
    this.upkeep.follow(reply);
    for (const command of reply.commands) {
      const own = await this.upkeep.obey(command);
      if (own) {
        this.acks.push(own);
        continue;
      }
      const failUpdates = failsUpdate(this.enrolment.deviceId, this.o.updateFailureRate ?? 0);
      const ota = command.type === 'update_os' ? await this.verifyUpdate(command) : undefined;
      const app = command.type === 'install_app' ? await this.verifyApp(command) : undefined;
      const done = obey(this.state, command, this.now(), { failUpdates }, ota, app);
      this.state = done.state;
      this.acks.push(done.ack);
    }
    return reply;
  }

  /**
   * Any route over mutual TLS with the device certificate (e.g. `GET /api/v1/device/whoami`, or an official's
   * route with a certificate-bound bearer token).
   */
  async deviceCall<T>(method: string, path: string, body?: unknown, bearer?: string): Promise<T> {
    if (!this.device) throw new Error('enrol the handset first');
    return this.json<T>(this.device, this.o.deviceUrl, method, path, body, bearer);
  }

  /** The device key's signature (SHA256withECDSA, DER, as Android's Keystore makes it), e.g. for the device factor. */
  sign(text: string): Buffer {
    if (!this.keyPem) throw new Error('enrol the handset first');
    return signData('sha256', Buffer.from(text, 'utf8'), this.keyPem);
  }

  /** The acknowledgements the next check-in will carry. */
  get pendingAcknowledgements(): readonly Acknowledgement[] {
    return this.acks;
  }

  /**
   * Listens for pushes on the device's MQTT topic (its device certificate; the device CA as the broker's
   * trust): a push, and every (re)connect, makes it check in at once. Without it the handset only polls.
   */
  connectPush(url: string, hooks: WakeHooks = {}): void {
    if (!this.enrolment || !this.keyPem) throw new Error('enrol the handset first');
    this.push.connect(url, this.enrolment.deviceId, this.pushTls(), hooks);
  }

  get pushConnected(): boolean {
    return this.push.connected;
  }

  /** Checks in now, and again at once with the acknowledgements of what it obeyed (see CheckInWaker). */
  wake(): Promise<void> {
    return this.waker.wake();
  }

  close(): void {
    this.push.close();
    this.device?.close();
    this.api.close();
  }

  private pushTls() {
    const e = this.enrolment!;
    return { certPem: e.certificatePem, keyPem: this.keyPem!, caPem: e.caPems.join('') };
  }

  /** A renewed certificate: mutual TLS (and the push connection) use it from now on. */
  private useCertificate(certificatePem: string, caPems: string[]): void {
    if (!this.enrolment || !this.keyPem) return;
    this.enrolment = { ...this.enrolment, certificatePem, caPems };
    this.device?.close();
    this.catalogue = null;
    this.device = mtlsFetch({ certPem: certificatePem, keyPem: this.keyPem, caPems }, 1);
    this.push.renewed(this.pushTls());
  }

  /** The OTA client's verdict on an `update_os` (TUF, then anti-downgrade), before anything is installed. */
  private async verifyUpdate(command: DeviceCommand): Promise<VerifiedUpdate> {
    const params = command.params ?? {};
    const version = typeof params['version'] === 'string' ? params['version'] : undefined;
    const buildId = typeof params['buildId'] === 'string' ? params['buildId'] : undefined;
    if (!version) return { ok: false, detail: 'update_os names no version' };
    if (!this.o.otaDir) return { ok: false, detail: 'tuf: no trusted root on the handset' };
    if (!this.o.model) return { ok: false, detail: 'the handset does not know its model' };
    const provisioned = this.o.trustServerRoot
      ? await provisionTrustedRoot(this.o.apiUrl, this.o.otaDir).catch(() => false)
      : true;
    if (!provisioned)
      return { ok: false, detail: 'tuf: the server publishes no signed update metadata (no root)' };
    return fetchVerifiedUpdate(
      { serverUrl: this.o.apiUrl, dir: this.o.otaDir },
      {
        model: this.o.model,
        buildId: this.state.osBuild,
        ...(this.state.osVersion ? { version: this.state.osVersion } : {}),
        securityPatch: this.patch(),
      },
      { version, ...(buildId ? { buildId } : {}) },
    );
  }

  /** The app installer's verdict on an `install_app`; undefined when no store is configured (see `store`). */
  private async verifyApp(command: DeviceCommand): Promise<VerifiedApp | undefined> {
    if (!this.o.store) return undefined;
    if (!this.device) return { ok: false, detail: 'catalogue_unavailable: the handset is not enrolled' };
    // One catalogue client per handset: it remembers the newest catalogue it verified (no rollback) and its ETag.
    this.catalogue ??= new CatalogueClient(this.o.deviceUrl, this.device, this.o.store.verify);
    return verifyAppInstall(
      {
        baseUrl: this.o.deviceUrl,
        fetch: this.device,
        catalogue: this.catalogue,
        inspect: this.o.store.inspect,
      },
      this.state.apps,
      command.params,
    );
  }

  private patch(): string {
    return this.state.securityPatch ?? this.o.securityPatch ?? '2025-11-05';
  }

  private report(apps: { package: string; versionCode: number; crashes?: number }[]) {
    return {
      osBuild: this.state.osBuild,
      osVersion: this.state.osVersion ?? '15',
      securityPatch: this.patch(),
      vendorPatch: '2025-11-05',
      bootPatch: '2025-11-05',
      apps,
      policyVersion: this.policyVersion,
      batteryPercent: 80,
      lastBootAt: this.state.lastBootAt,
    };
  }

  private async json<T>(
    fetcher: (r: Request) => Promise<Response>,
    base: string,
    method: string,
    path: string,
    body?: unknown,
    bearer?: string,
  ): Promise<T> {
    const res = await fetcher(
      new Request(new URL(path, base), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new HandsetHttpError(res.status, (parsed as { code?: string } | null)?.code, parsed);
    return parsed as T;
  }
}
