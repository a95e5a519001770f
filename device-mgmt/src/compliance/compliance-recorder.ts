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
import {
  attestedBootKey,
  evaluateCompliance,
  type ComplianceVerdict,
  type ReportFacts,
} from './compliance.js';

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

/** The device as events name it: the IMSI is the one bound at enrolment (devices.imsi), never a reported one. */
type EventDevice = Pick<DeviceRow, 'id' | 'userId' | 'imsi'>;

export function nonCompliantEvents(device: EventDevice, verdict: ComplianceVerdict): PendingEvent[] {
  const { id: deviceId, userId, imsi } = device;
  if (!verdict.becameNonCompliant || !imsi || !IMSI.test(imsi)) return [];
  return [DeviceNonCompliant.create({ deviceId, userId, imsi, reason: verdict.reasons.join(', ') })];
}

export function lostEvents(
  device: EventDevice,
  reason = 'lost mode reported by the handset',
): PendingEvent[] {
  const { id: deviceId, userId, imsi } = device;
  if (!imsi || !IMSI.test(imsi)) return [];
  return [DeviceLost.create({ deviceId, userId, imsi, reason: reason.slice(0, 500) })];
}

/**
 * hardened-os's facts a verdict needs: the patch floor of the device's institution, and the verified-boot keys
 * marked compromised. Both are asked at every check-in, uncached here: hardened-os answers from its snapshot
 * (refreshed at once on this node after a change, within 30 s on the others), so a raised floor or a
 * compromised key reaches every handset at its next check-in.
 */
export type ReleaseFacts = { minimumPatch: number | null; compromisedBootKeys: ReadonlySet<string> };
const NO_RELEASE_FACTS: ReleaseFacts = { minimumPatch: null, compromisedBootKeys: new Set() };

/**
 * Evaluates a device (locked by the caller's transaction) and stores the verdict; transitions become events,
 * published after commit. The events carry the IMSI of the SIM in the handset (core-network bars it): a
 * device with no IMSI on record publishes none — it has no SIM of ours to bar.
 */
@Injectable()
export class ComplianceRecorder {
  constructor(
    private readonly devices: DeviceStateRepository,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(HARDENED_OS_RELEASES) private readonly releases?: HardenedOsReleases,
  ) {}

  /**
   * What hardened-os says, read before the caller's transaction opens: the port reads the database, and inside
   * a transaction holding the device row that would wait on a second connection (PGlite has only one).
   */
  async releaseFacts(institutionId: string | null): Promise<ReleaseFacts> {
    if (!this.releases) return NO_RELEASE_FACTS;
    const [minimumPatch, compromised] = await Promise.all([
      this.releases.minimumPatchLevel(institutionId),
      this.releases.compromisedBootKeys(),
    ]);
    // The registry answers the same array until its snapshot changes: the Set is built once per snapshot.
    if (compromised !== this.compromisedFrom) {
      this.compromisedFrom = compromised;
      this.compromisedSet = new Set(compromised.map((k) => k.toLowerCase()));
    }
    return { minimumPatch, compromisedBootKeys: this.compromisedSet };
  }

  private compromisedFrom: readonly string[] | undefined;
  private compromisedSet: ReadonlySet<string> = new Set();

  evaluate(
    device: DeviceRow,
    report: ReportFacts | null,
    policy: EffectivePolicy,
    now: Date,
    facts: ReleaseFacts,
  ): ComplianceVerdict {
    const key = attestedBootKey(device.attestation);
    return evaluateCompliance({
      device,
      report,
      policy,
      releasesMinimumPatch: facts.minimumPatch,
      bootKeyCompromised: key !== null && facts.compromisedBootKeys.has(key),
      now,
    });
  }

  /** Stores the verdict in `tx` and returns the events it causes. */
  async store(device: DeviceRow, verdict: ComplianceVerdict, tx: Db): Promise<PendingEvent[]> {
    await this.devices.update(device.id, verdictPatch(verdict), tx);
    return nonCompliantEvents(device, verdict);
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
}
