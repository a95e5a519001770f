import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, type DevicePrincipal } from '@pakawaaz/platform';
import {
  ComplianceRecorder,
  lostEvents,
  nonCompliantEvents,
  verdictPatch,
  type PendingEvent,
  type ReleaseFacts,
} from '../compliance/compliance-recorder.js';
import type { ComplianceReason, ComplianceState, ComplianceVerdict } from '../compliance/compliance.js';
import { CommandOutcomes, type AfterAck } from '../commands/command-outcomes.js';
import { deliveredCommand, type DeliveredCommand } from '../commands/command-view.js';
import { CommandsRepository, MAX_COMMANDS_PER_CHECK_IN } from '../commands/commands.repository.js';
import { deviceMgmtError } from '../device-mgmt.errors.js';
import { DeviceStateRepository, type DeviceRow } from '../devices/device-state.repository.js';
import { PoliciesService } from '../policies/policies.service.js';
import type { EffectivePolicy, PolicySettings } from '../policies/policy-settings.js';
import type { CheckInReportInput } from './check-in.dto.js';
import { CheckInRepository, type CheckInRead } from './check-in.repository.js';
import { OsUpdateRecorder } from '../os-updates/os-update-recorder.js';
import type { OsUpdateTarget } from '../os-updates/os-rollouts.js';
import {
  isNothing,
  NOTHING,
  osUpdateStep,
  type OsUpdateSeen,
  type OsUpdateStep,
} from '../os-updates/os-update-step.js';
import { OsUpdatesRepository } from '../os-updates/os-updates.repository.js';

export type CheckInReplyView = {
  policy: { version: number; settings: PolicySettings } | null;
  commands: DeliveredCommand[];
  compliance: { state: ComplianceState; reasons: ComplianceReason[] };
  nextCheckInSeconds: number;
};

/** When more commands wait than one reply carries, the handset comes back this soon for the rest. */
const MORE_WAITING_SECONDS = 30;
/** Optimistic attempts of a plain check-in before it takes the row lock like the others. */
const OPTIMISTIC_ATTEMPTS = 3;

type Done = { reply: CheckInReplyView; events: PendingEvent[]; after: AfterAck };
/** The rollout target for the device, asked of hardened-os at most once per check-in (memoised). */
type TargetOf = (row: DeviceRow) => Promise<OsUpdateTarget | null>;

/**
 * A handset's periodic check-in: its acknowledgements are recorded, its report stored (a location only while a
 * delivered locate command is outstanding), its compliance evaluated, and it gets its commands and, when it
 * applied another version, the policy. The common check-in (no acknowledgements, no location) runs without
 * a transaction — read the device and its policy version (or start from what this node's last check-in of
 * it wrote), then store the report only if row and policy are unchanged and deliver the commands in the same
 * statement — and retries when another writer got in between; one with acknowledgements or a location locks
 * the device row in a transaction. When
 * hardened-os's rollouts want the device on another build and it was not offered it yet, or it reports the
 * build it was offered, the check-in takes the locking path too (once per device and rollout step): the
 * update_os command is queued and delivered in the same reply, and the outcome recorded in the outbox.
 */
@Injectable()
export class CheckInService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly devices: DeviceStateRepository,
    private readonly commands: CommandsRepository,
    private readonly policies: PoliciesService,
    private readonly outcomes: CommandOutcomes,
    private readonly compliance: ComplianceRecorder,
    private readonly checkIns: CheckInRepository,
    private readonly osUpdates: OsUpdateRecorder,
    private readonly osUpdateRows: OsUpdatesRepository,
  ) {}

  async checkIn(device: DevicePrincipal, report: CheckInReportInput): Promise<CheckInReplyView> {
    const now = new Date();
    const plain = (report.acknowledgements ?? []).length === 0 && report.lostMode?.location === undefined;
    // hardened-os's facts are read before any transaction: the port reads the database (PGlite has one connection).
    const facts = await this.compliance.releaseFacts(device.institutionId);
    let asked: Promise<OsUpdateTarget | null> | undefined;
    const targetOf: TargetOf = (row) => (asked ??= this.osUpdates.targetFor(row, report.osBuild));
    let done: Done | 'lock' | undefined;
    for (let attempt = 0; plain && !done && attempt < OPTIMISTIC_ATTEMPTS; attempt++)
      done = await this.optimistic(device.deviceId, report, now, facts, targetOf, attempt === 0);
    if (done === undefined || done === 'lock') {
      // The rollouts port may read the database (its snapshot refresh) through the pool: it is asked before
      // the transaction, which on the embedded database holds the only connection (asked inside, it would
      // wait for that connection forever). Institution and model never change after enrolment, and the build
      // is the report's, so the answer holds for the locked row too.
      if (this.osUpdates.enabled && asked === undefined) {
        const row = await this.devices.find(device.deviceId);
        if (row) await targetOf(row);
      }
      done = await this.database.db.transaction((tx) =>
        this.inTransaction(device.deviceId, report, now, facts, targetOf, tx),
      );
    }
    await this.outcomes.settle(done.after);
    await this.compliance.publish(done.events);
    return done.reply;
  }

  /**
   * Undefined when the device row changed between the read and the write (nothing was written); `lock` when
   * an OS rollout step is due (the locking path records it).
   */
  private async optimistic(
    deviceId: string,
    report: CheckInReportInput,
    now: Date,
    facts: ReleaseFacts,
    targetOf: TargetOf,
    first: boolean,
  ): Promise<Done | 'lock' | undefined> {
    // The first attempt starts from what this node last wrote of the device, if it remembers it (the write
    // checks it still holds); a retry reads. A remembered rollout row is at worst older than the database's:
    // a step computed from it goes to the locking path, which reads again, and rollout moves are conditional.
    const read: CheckInRead | undefined =
      (first ? this.checkIns.remembered(deviceId) : undefined) ??
      (await this.checkIns.read(deviceId, this.osUpdates.enabled));
    if (!read) throw deviceMgmtError('device_not_found', 'No such device.');
    const { row } = read;
    if (row.state === 'wiped' || row.state === 'retired')
      throw deviceMgmtError('device_not_active', `The device is ${row.state}.`);
    const policy = await this.policies.atVersions(read.policyVersion, read.nationalPolicyVersion);
    const after: AfterAck = { deviceId, revoke: null, osEvents: [] };
    const next = nextState(report, after);
    const verdict = this.compliance.evaluate(
      { ...row, state: next, lastCheckInAt: now },
      report,
      policy,
      now,
      facts,
    );
    if (!isNothing(await this.osStep(row, next, read.osUpdate, report, verdict, targetOf, now)))
      return 'lock';
    const delivered = await this.checkIns.write(
      deviceId,
      read,
      {
        state: next,
        lastCheckInAt: now,
        lastReport: withoutLocation(report, now),
        appliedPolicyVersion: report.policyVersion,
        ...verdictColumns(verdict),
      },
      now,
    );
    if (!delivered) return undefined;
    return {
      reply: replyOf(report, policy, verdict, delivered),
      events: transitions(row, next, verdict),
      after,
    };
  }

  private async inTransaction(
    deviceId: string,
    report: CheckInReportInput,
    now: Date,
    facts: ReleaseFacts,
    targetOf: TargetOf,
    tx: Db,
  ): Promise<Done> {
    // This path changes the row without remembering it: the next plain check-in reads rather than trying a
    // write its guard would refuse.
    this.checkIns.forget(deviceId);
    const row = await this.devices.lock(deviceId, tx);
    if (!row) throw deviceMgmtError('device_not_found', 'No such device.');
    if (row.state === 'wiped' || row.state === 'retired')
      throw deviceMgmtError('device_not_active', `The device is ${row.state}.`);
    const acks = report.acknowledgements ?? [];
    const { after } =
      acks.length > 0
        ? await this.outcomes.record(deviceId, acks, now, tx)
        : { after: { deviceId, revoke: null, osEvents: [] as string[] } satisfies AfterAck };
    const policy = await this.policies.effective(row.institutionId, tx, row.groupId);
    const stored = await this.reportToStore(deviceId, report, now, tx);
    const next = nextState(report, after);
    // The SIM the handset reports is kept in its report only: the IMSI events bar is the one bound at enrolment.
    const evaluated: DeviceRow = { ...row, state: next, lastCheckInAt: now };
    const verdict = this.compliance.evaluate(evaluated, report, policy, now, facts);
    await this.devices.update(
      deviceId,
      {
        state: next,
        lastCheckInAt: now,
        lastReport: stored,
        appliedPolicyVersion: report.policyVersion,
        ...verdictPatch(verdict),
      },
      tx,
    );
    const events = transitions(row, next, verdict);
    if (this.osUpdates.enabled) {
      const seen = await this.osUpdateRows.newest(deviceId, tx);
      const step = await this.osStep(row, next, seen, report, verdict, targetOf, now);
      after.osEvents.push(...(await this.osUpdates.apply(row, step, now, tx)));
    }
    // A device that has just acknowledged its wipe or relinquishment gets nothing more.
    const delivered = after.revoke ? [] : await this.commands.deliver(deviceId, now, tx);
    return { reply: replyOf(report, policy, verdict, delivered.map(deliveredCommand)), events, after };
  }

  /** The rollout step this check-in makes; an update is offered only to a device in use (not lost, not wiped). */
  private async osStep(
    row: DeviceRow,
    next: DeviceRow['state'],
    seen: OsUpdateSeen,
    report: CheckInReportInput,
    verdict: ComplianceVerdict,
    targetOf: TargetOf,
    now: Date,
  ): Promise<OsUpdateStep> {
    if (!this.osUpdates.enabled) return NOTHING;
    const target = next === 'active' ? await targetOf(row) : null;
    return osUpdateStep(seen, target, report.osBuild, verdict.reasons, now);
  }

  /**
   * What is kept of the report: everything the handset reported about itself except the acknowledgements
   * (they are in the commands) and the location, which is kept only while a locate command delivered to the
   * handset is outstanding.
   */
  private async reportToStore(deviceId: string, report: CheckInReportInput, now: Date, tx: Db) {
    const { acknowledgements: _acks, lostMode, ...facts } = report;
    const stored: Record<string, unknown> = { ...facts, receivedAt: now.toISOString() };
    if (lostMode === undefined) return stored;
    const located =
      lostMode.location !== undefined && (await this.commands.locateOutstanding(deviceId, now, tx));
    stored.lostMode = located ? { location: lostMode.location } : {};
    return stored;
  }
}

/** The events a check-in's transitions cause: DeviceLost on entering lost mode, DeviceNonCompliant. */
function transitions(row: DeviceRow, next: DeviceRow['state'], verdict: ComplianceVerdict): PendingEvent[] {
  return [
    ...(next === 'lost' && row.state !== 'lost' ? lostEvents(row) : []),
    ...nonCompliantEvents(row, verdict),
  ];
}

/**
 * The device state follows the handset's lost mode: a report in lost mode makes it `lost` (DeviceLost is
 * published on that transition), one out of lost mode (the owner unlocked it) makes it `active` again. A
 * wipe or relinquishment acknowledged in this check-in makes it final.
 */
function nextState(report: CheckInReportInput, after: AfterAck): DeviceRow['state'] {
  if (after.revoke) return after.revoke;
  return report.lostMode !== undefined ? 'lost' : 'active';
}

/** What is stored of a report that carries no location (or one that is not kept): see reportToStore. */
function withoutLocation(report: CheckInReportInput, now: Date): Record<string, unknown> {
  const { acknowledgements: _acks, lostMode, ...facts } = report;
  return { ...facts, receivedAt: now.toISOString(), ...(lostMode ? { lostMode: {} } : {}) };
}

function verdictColumns(verdict: ComplianceVerdict) {
  const { state: compliance, reasons: complianceReasons, nonCompliantSince } = verdict;
  return { compliance, complianceReasons, nonCompliantSince };
}

function replyOf(
  report: CheckInReportInput,
  policy: EffectivePolicy,
  verdict: { state: ComplianceState; reasons: ComplianceReason[] },
  delivered: DeliveredCommand[],
): CheckInReplyView {
  return {
    policy: policyFor(report.policyVersion, policy),
    commands: delivered,
    compliance: { state: verdict.state, reasons: verdict.reasons },
    nextCheckInSeconds:
      delivered.length >= MAX_COMMANDS_PER_CHECK_IN
        ? MORE_WAITING_SECONDS
        : policy.settings.checkInIntervalSeconds,
  };
}

function policyFor(applied: number, policy: EffectivePolicy): CheckInReplyView['policy'] {
  return applied === policy.version ? null : { version: policy.version, settings: policy.settings };
}
