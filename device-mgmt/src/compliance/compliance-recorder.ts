import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_BUS, LOGGER, type Db, type EventBus, type Logger } from '@pakawaaz/platform';
import { HARDENED_OS_RELEASES, type HardenedOsReleases } from '../attestation/policy.js';
import { DeviceLost, DeviceNonCompliant } from '../device-mgmt.events.js';
import {
  DeviceStateRepository,
  type DeviceRow,
  type DeviceUpdate,
} from '../devices/device-state.repository.js';
import type { EffectivePolicy } from '../policies/policy-settings.js';
import { evaluateCompliance, type ComplianceVerdict, type ReportFacts } from './compliance.js';

/** An event to publish once the transaction that decided it has committed. */
export type PendingEvent =
  ReturnType<typeof DeviceLost.create> | ReturnType<typeof DeviceNonCompliant.create>;

const IMSI = /^\d{15}$/;

/** The device columns a verdict sets. */
export function verdictPatch(verdict: ComplianceVerdict): DeviceUpdate {
  return {
    compliance: verdict.state,
    complianceReasons: verdict.reasons,
    nonCompliantSince: verdict.nonCompliantSince,
  };
}

export function nonCompliantEvents(
  deviceId: string,
  imsi: string | null,
  verdict: ComplianceVerdict,
): PendingEvent[] {
  if (!verdict.becameNonCompliant || !imsi || !IMSI.test(imsi)) return [];
  return [DeviceNonCompliant.create({ deviceId, imsi, reason: verdict.reasons.join(', ') })];
}

export function lostEvents(deviceId: string, imsi: string | null): PendingEvent[] {
  if (!imsi || !IMSI.test(imsi)) return [];
  return [DeviceLost.create({ deviceId, imsi, reason: 'lost mode reported by the handset' })];
}

const RELEASES_TTL_MS = 5 * 60_000;

/**
 * Evaluates a device (locked by the caller's transaction) and stores the verdict; transitions become events,
 * published after commit. The events carry the IMSI of the SIM in the handset (core-network bars it): a
 * device with no IMSI on record publishes none — it has no SIM of ours to bar.
 */
@Injectable()
export class ComplianceRecorder {
  private releasesMinimum: { value: number | null; at: number } | null = null;

  constructor(
    private readonly devices: DeviceStateRepository,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(HARDENED_OS_RELEASES) private readonly releases?: HardenedOsReleases,
  ) {}

  async evaluate(
    device: DeviceRow,
    report: ReportFacts | null,
    policy: EffectivePolicy,
    now: Date,
  ): Promise<ComplianceVerdict> {
    const releasesMinimumPatch = await this.minimumPatch();
    return evaluateCompliance({ device, report, policy, releasesMinimumPatch, now });
  }

  /** Stores the verdict in `tx` and returns the events it causes. */
  async store(device: DeviceRow, verdict: ComplianceVerdict, tx: Db): Promise<PendingEvent[]> {
    await this.devices.update(device.id, verdictPatch(verdict), tx);
    return nonCompliantEvents(device.id, device.imsi, verdict);
  }

  /** Publishes after commit; a failure is logged (the state is stored; the sweep does not resend). */
  async publish(events: readonly PendingEvent[]): Promise<void> {
    for (const event of events)
      try {
        await this.bus.publish(event);
      } catch (err) {
        this.logger.error({ err, type: event.type }, 'publishing a device event failed');
      }
  }

  private async minimumPatch(): Promise<number | null> {
    if (!this.releases) return null;
    const cached = this.releasesMinimum;
    if (cached && Date.now() - cached.at < RELEASES_TTL_MS) return cached.value;
    const value = await this.releases.minimumPatchLevel();
    this.releasesMinimum = { value, at: Date.now() };
    return value;
  }
}
