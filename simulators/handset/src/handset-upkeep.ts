import type { webcrypto } from 'node:crypto';
import { HandsetHttpError } from './http-error.js';
import {
  attestationDue,
  DEFAULT_MAX_ATTESTATION_AGE_HOURS,
  keyPairOf,
  reattestKey,
  renewalDue,
  renewCertificate,
  type DeviceCall,
} from './key-upkeep.js';
import type { LabAttestation, LabAttestationRoot } from './lab-attestation.js';
import type { Acknowledgement, DeviceCommand } from './obey.js';

/** After a failed scheduled re-attestation or renewal, the handset tries again this much later (its clock). */
export const UPKEEP_RETRY_MS = 3_600_000;

export type KeyUpkeepDeps = {
  call: DeviceCall;
  attests: (challenge: Uint8Array) => LabAttestation;
  root: () => LabAttestationRoot;
  now: () => Date;
  /** A renewed certificate to use from now on. */
  renewed: (certificatePem: string, caPems: string[]) => void;
};

type Held = { keyPem: string; certificatePem: string; attestedAt: Date };

const why = (err: unknown) =>
  err instanceof HandsetHttpError ? (err.code ?? `HTTP ${err.status}`) : String(err);

/**
 * A handset's device-key upkeep: it re-attests before its evidence is older than the policy's
 * `maxAttestationAgeHours` (two check-in intervals of margin), renews its certificate once two thirds of its
 * life have passed, and obeys `reattest` and `rotate_certificate` commands (acknowledged with the outcome).
 */
export class KeyUpkeep {
  private held: Held | null = null;
  private keys: webcrypto.CryptoKeyPair | null = null;
  private maxAgeHours = DEFAULT_MAX_ATTESTATION_AGE_HOURS;
  private intervalSeconds = 900;
  private retryAt = 0;
  /** What the last scheduled attempt failed with (null: it succeeded, or none was due). */
  lastError: string | null = null;
  /** Re-attestations and renewals done (scheduled or commanded). */
  readonly done = { reattestations: 0, renewals: 0 };

  constructor(private readonly d: KeyUpkeepDeps) {}

  reset(keyPem: string, e: { certificatePem: string; attestedAt?: string | undefined }): void {
    // A saved handset from before upkeep has no attestation time: count it as attested now.
    this.held = {
      keyPem,
      certificatePem: e.certificatePem,
      attestedAt: e.attestedAt ? new Date(e.attestedAt) : this.d.now(),
    };
    this.keys = null;
    this.retryAt = 0;
  }

  get attestedAt(): Date | null {
    return this.held?.attestedAt ?? null;
  }

  /** The policy and interval the server sent: they set when the next re-attestation is due. */
  follow(reply: {
    policy: { settings?: { maxAttestationAgeHours?: number } } | null;
    nextCheckInSeconds: number;
  }): void {
    const max = reply.policy?.settings?.maxAttestationAgeHours;
    if (typeof max === 'number' && max > 0) this.maxAgeHours = max;
    if (reply.nextCheckInSeconds > 0) this.intervalSeconds = reply.nextCheckInSeconds;
  }

  /** Renews and re-attests if due (before a check-in). A failure is kept in `lastError` and retried later. */
  async whenDue(): Promise<void> {
    const h = this.held;
    const now = this.d.now();
    if (!h || now.getTime() < this.retryAt) return;
    try {
      if (renewalDue(h.certificatePem, now)) await this.renew();
      if (attestationDue(h.attestedAt, now, this.maxAgeHours, this.intervalSeconds)) await this.reattest();
      this.lastError = null;
    } catch (err) {
      this.lastError = why(err);
      this.retryAt = now.getTime() + UPKEEP_RETRY_MS;
    }
  }

  /** `reattest` and `rotate_certificate` are the upkeep's; other commands are not (null). */
  async obey(command: DeviceCommand): Promise<Acknowledgement | null> {
    const run =
      command.type === 'reattest'
        ? () => this.reattest().then((at) => `attested at ${at}`)
        : command.type === 'rotate_certificate'
          ? () => this.renew().then(() => 'certificate renewed for the same key')
          : null;
    if (!run) return null;
    try {
      return { commandId: command.id, state: 'succeeded', detail: await run() };
    } catch (err) {
      return { commandId: command.id, state: 'failed', detail: why(err).slice(0, 500) };
    }
  }

  /** A fresh challenge and a new attestation of the same key; returns the server's attestation time. */
  async reattest(): Promise<string> {
    const h = this.need();
    const r = await reattestKey(this.d.call, this.d.root(), this.d.attests, await this.keyPair(h));
    h.attestedAt = this.d.now();
    this.done.reattestations++;
    return r.attestedAt;
  }

  /** A new certificate for the same key (the old one is superseded on the CRL). */
  async renew(): Promise<void> {
    const h = this.need();
    const r = await renewCertificate(this.d.call, await this.keyPair(h));
    h.certificatePem = r.certificatePem;
    this.done.renewals++;
    this.d.renewed(r.certificatePem, r.caPems);
  }

  private need(): Held {
    if (!this.held) throw new Error('enrol the handset first');
    return this.held;
  }

  private async keyPair(h: Held): Promise<webcrypto.CryptoKeyPair> {
    this.keys ??= await keyPairOf(h.keyPem);
    return this.keys;
  }
}
