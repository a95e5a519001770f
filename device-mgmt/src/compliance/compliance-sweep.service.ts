import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DATABASE, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { CommandsRepository } from '../commands/commands.repository.js';
import {
  DeviceStateRepository,
  type DeviceRow,
  type SweepScope,
} from '../devices/device-state.repository.js';
import { PoliciesRepository } from '../policies/policies.repository.js';
import { PoliciesService } from '../policies/policies.service.js';
import {
  GROUP_SCOPE_PREFIX,
  isGroupScope,
  NATIONAL,
  type EffectivePolicy,
} from '../policies/policy-settings.js';
import { ComplianceRecorder, type PendingEvent, type ReleaseFacts } from './compliance-recorder.js';
import { OVERDUE_INTERVALS, type ReportFacts } from './compliance.js';

const SWEEP_MS = 60_000;
/** Most devices one sweep re-evaluates per policy scope; the next sweep takes the rest. */
const SWEEP_BATCH = 1000;
const HOUR = 3_600_000;

export type SweepResult = { evaluated: number; changed: number; events: number; expiredCommands: number };

/**
 * Compliance that changes with time alone, for devices that do not check in to find out: grace running out
 * (→ non_compliant), attestation evidence growing stale, check-ins stopping (CHECK_IN_OVERDUE). One cheap
 * query per policy scope finds the devices whose verdict is about to change; each is re-evaluated with the same pure rules as a check-in,
 * under its row lock, so two nodes sweeping at once publish a transition once. Open commands past their
 * expiry become `expired`.
 */
@Injectable()
export class ComplianceSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly devices: DeviceStateRepository,
    private readonly policyRows: PoliciesRepository,
    private readonly policies: PoliciesService,
    private readonly commands: CommandsRepository,
    private readonly recorder: ComplianceRecorder,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepQuietly(), SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now: Date = new Date()): Promise<SweepResult> {
    const result: SweepResult = { evaluated: 0, changed: 0, events: 0, expiredCommands: 0 };
    result.expiredCommands = await this.commands.expire(now);
    const stored = (await this.policyRows.currentAll(null)).map((r) => r.scope).filter((s) => s !== NATIONAL);
    // Devices of a group with its own policy follow it; the others their institution's or the national one.
    const groups = stored.filter(isGroupScope).map((s) => s.slice(GROUP_SCOPE_PREFIX.length));
    const own = stored.filter((s) => !isGroupScope(s));
    const scopes: SweepScope[] = [
      ...groups.map((id) => ({ groups: [id] })),
      ...own.map((id) => ({ institutions: [id], exceptGroups: groups })),
      { except: own, exceptGroups: groups },
    ];
    for (const scope of scopes) {
      const policy =
        'groups' in scope
          ? await this.policies.effective(null, undefined, scope.groups[0] ?? null)
          : await this.policies.effective('institutions' in scope ? (scope.institutions[0] ?? null) : null);
      const s = policy.settings;
      const at = (ms: number) => new Date(now.getTime() - ms);
      const limits = {
        graceBefore: at(s.graceHours * HOUR),
        staleBefore: at(s.maxAttestationAgeHours * HOUR),
        silentBefore: at(OVERDUE_INTERVALS * s.checkInIntervalSeconds * 1000),
      };
      const candidates = await this.devices.sweepCandidates(scope, limits, SWEEP_BATCH);
      for (const candidate of candidates) {
        const facts = await this.recorder.releaseFacts(candidate.institutionId);
        await this.reevaluateInto(result, candidate.id, policy, now, facts);
      }
    }
    return result;
  }

  /**
   * A verified-boot key was marked compromised (hardened-os's event): every active or lost device whose
   * attestation carries it is evaluated at once, in pages of SWEEP_BATCH, rather than at its next check-in;
   * the non-compliant transitions are published (core-network bars the SIMs). The key counts as compromised
   * here even if this node's hardened-os snapshot has not caught up yet.
   */
  async reevaluateBootKey(
    digest: string,
    now: Date = new Date(),
    batch: number = SWEEP_BATCH,
  ): Promise<SweepResult> {
    const key = digest.toLowerCase();
    const result: SweepResult = { evaluated: 0, changed: 0, events: 0, expiredCommands: 0 };
    const policies = new Map<string, EffectivePolicy>();
    let after: string | null = null;
    for (;;) {
      const page = await this.devices.withBootKey(key, after, batch);
      for (const device of page) {
        const scope = `${device.institutionId ?? NATIONAL}/${device.groupId ?? ''}`;
        let policy = policies.get(scope);
        if (!policy)
          policies.set(
            scope,
            (policy = await this.policies.effective(device.institutionId, undefined, device.groupId)),
          );
        const facts = await this.recorder.releaseFacts(device.institutionId);
        const withKey = { ...facts, compromisedBootKeys: new Set([...facts.compromisedBootKeys, key]) };
        await this.reevaluateInto(result, device.id, policy, now, withKey);
      }
      if (page.length < batch) break;
      after = page[page.length - 1]!.id;
    }
    return result;
  }

  /** Re-evaluates one device, counts it into `result` and publishes its transitions. */
  private async reevaluateInto(
    result: SweepResult,
    id: string,
    policy: EffectivePolicy,
    now: Date,
    facts: ReleaseFacts,
  ): Promise<void> {
    const outcome = await this.reevaluate(id, policy, now, facts);
    result.evaluated += 1;
    if (outcome.changed) result.changed += 1;
    result.events += outcome.events.length;
    await this.recorder.publish(outcome.events);
  }

  private async reevaluate(id: string, policy: EffectivePolicy, now: Date, facts: ReleaseFacts) {
    return this.database.db.transaction(async (tx) => {
      const row = await this.devices.lock(id, tx);
      if (!row || row.state === 'wiped' || row.state === 'retired')
        return { changed: false, events: [] as PendingEvent[] };
      const verdict = this.recorder.evaluate(row, reportOf(row), policy, now, facts);
      if (!changed(row, verdict)) return { changed: false, events: [] as PendingEvent[] };
      return { changed: true, events: await this.recorder.store(row, verdict, tx) };
    });
  }

  private async sweepQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep().then(
      (r) => {
        if (r.changed > 0 || r.expiredCommands > 0) this.logger.info(r, 'device compliance sweep');
      },
      (err: unknown) => this.logger.error({ err }, 'device compliance sweep failed'),
    );
    await this.running;
    this.running = null;
  }
}

function changed(row: DeviceRow, verdict: { state: string; reasons: readonly string[] }): boolean {
  return row.compliance !== verdict.state || row.complianceReasons.join(',') !== verdict.reasons.join(',');
}

/** The stored last report, as compliance reads it (null when the device never checked in). */
function reportOf(row: DeviceRow): ReportFacts | null {
  const r = row.lastReport;
  if (!r) return null;
  return {
    securityPatch: typeof r.securityPatch === 'string' ? r.securityPatch : undefined,
    apps: Array.isArray(r.apps) ? (r.apps as { package: string }[]) : [],
    policyVersion: typeof r.policyVersion === 'number' ? r.policyVersion : -1,
    developerOptionsEnabled:
      typeof r.developerOptionsEnabled === 'boolean' ? r.developerOptionsEnabled : undefined,
    screenLockSecure: typeof r.screenLockSecure === 'boolean' ? r.screenLockSecure : undefined,
    lostMode: r.lostMode,
  };
}
