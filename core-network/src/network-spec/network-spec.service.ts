import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  PLATFORM_CONFIG,
  requireNational,
  SYSTEM_ACTOR,
  type Actor,
  type DatabaseHandle,
  type Db,
  type PlatformConfig,
  type Principal,
} from '@pakawaaz/platform';
import { renderAllOpen5gsFiles } from '../open5gs/config/render-all.js';
import { orphanedProfiles, runningSpec, type OrphanedProfile } from '../subscribers/profile-checks.js';
import { SubscriberProfile } from '../subscribers/profile.js';
import { strandedAddresses, strandedLines, type StrandedAddress } from '../subscribers/static-address.js';
import { SubscribersRepository } from '../subscribers/subscribers.repository.js';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { sliceLabel, weakSecurity } from './network-spec.checks.js';
import { networkSpecError } from './network-spec.errors.js';
import { NetworkSpecRepository, type NetworkSpecRow } from './network-spec.repository.js';
import {
  formatIssue,
  MAX_NETWORK_SPEC_BYTES,
  parseNetworkSpec,
  specSha256,
  validateNetworkSpec,
  type NetworkSpec,
  type SpecIssue,
} from './network-spec.js';
import { previewNetworkSpec, type SpecPreview } from './spec-preview.js';

export type NetworkSpecView = {
  version: number;
  sha256: string;
  spec: NetworkSpec;
  sourceYaml: string;
  appliedBy: string;
  appliedAt: Date;
};
export type AppliedNetworkSpec = { version: number; sha256: string; appliedAt: Date; warnings: SpecIssue[] };
export type Open5gsConfigView = {
  specVersion: number;
  sha256: string;
  files: { name: string; content: string }[];
};
export type DemoSpecResult = { applied: boolean; version: number | null };
/** What the operator saw in the preview: the version it was against, and whether weak security is intended. */
export type ApplyConditions = { baseVersion: number; allowWeakSecurity?: boolean | undefined };

type NewVersion = {
  spec: NetworkSpec;
  sourceYaml: string;
  warnings: SpecIssue[];
  weakSecurityOverride: boolean;
  actor: Actor;
  requestId: string | null;
};

const NO_SPEC_YET =
  'No network spec has been applied yet: apply one with `pakawaaz network apply --spec network.yaml`.';

/** The versioned network spec: validation, storage with audit, and the Open5GS files it renders to. */
@Injectable()
export class NetworkSpecService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(PLATFORM_CONFIG) private readonly config: Pick<PlatformConfig, 'seedDemo'>,
    private readonly specs: NetworkSpecRepository,
    private readonly audit: AuditService,
    private readonly subscribers: SubscribersRepository,
  ) {}

  async current(): Promise<NetworkSpecView> {
    const row = await this.specs.current();
    if (!row) throw networkSpecError('network_spec_not_found', NO_SPEC_YET);
    return toView(row);
  }

  /**
   * What applying the YAML would do (every problem, the spec diff, each Open5GS file's diff) without storing
   * anything; apply with the preview's baseVersion.
   */
  async preview(sourceYaml: string, by: Principal): Promise<SpecPreview> {
    requireNational(by);
    checkSize(sourceYaml);
    const row = await this.specs.current();
    const running = row ? validateNetworkSpec(row.spec) : null;
    const base = row
      ? { version: row.version, sha256: row.sha256, spec: running?.ok ? running.spec : null }
      : null;
    const preview = previewNetworkSpec(sourceYaml, base);
    const parsed = preview.valid ? parseNetworkSpec(sourceYaml) : null;
    if (!parsed?.ok) return preview;
    // What apply would refuse with 409 spec_orphans_*: shown with the other problems, so the preview is honest.
    const { orphans, stranded } = await this.leftBehind(
      this.database.db,
      parsed.spec,
      running?.ok ? running.spec : null,
    );
    const leftBehind: SpecIssue[] = [
      ...orphans.flatMap((o) =>
        o.needs.map((n) => ({ path: `profile ${o.profile}: ${n.path}`, message: n.message })),
      ),
      ...stranded.map((x) => ({
        path: `subscriber ${x.imsi}`,
        message: `${x.displayName}: ${x.problem}`,
      })),
    ];
    if (leftBehind.length === 0) return preview;
    return { ...preview, valid: false, errors: [...preview.errors, ...leftBehind] };
  }

  /**
   * Validates the YAML and stores it as the next version; nothing is stored (or audited) when it is rejected,
   * when the running spec is no longer `baseVersion` (someone applied in between: 409), or when it prefers
   * null ciphering or integrity without `allowWeakSecurity`.
   */
  async apply(
    sourceYaml: string,
    conditions: ApplyConditions,
    by: Principal,
    requestId: string | null,
  ): Promise<AppliedNetworkSpec> {
    requireNational(by);
    checkSize(sourceYaml);
    const parsed = parseNetworkSpec(sourceYaml);
    if (!parsed.ok) throw invalidSpec('The network spec is invalid', parsed.errors, parsed.warnings);
    const { spec, warnings } = parsed;
    const weak = weakSecurity(spec.security);
    if (weak.length > 0 && conditions.allowWeakSecurity !== true)
      throw networkSpecError(
        'weak_security_not_allowed',
        `The spec prefers null ciphering or integrity; fix it or apply with the weak-security override (allowWeakSecurity):\n${weak.map(formatIssue).join('\n')}`,
        { errors: weak },
      );
    return this.database.db.transaction(async (tx) => {
      await this.specs.lockVersions(tx);
      const latest = await this.specs.latestVersion(tx);
      if (latest !== conditions.baseVersion)
        throw networkSpecError(
          'network_spec_changed',
          `The running spec is version ${latest}, not version ${conditions.baseVersion} that this change was previewed against: someone applied in between. Preview again to see their change, then apply.`,
          { baseVersion: conditions.baseVersion, currentVersion: latest },
        );
      // Under the version lock, which profile saves take too: no profile can start needing what this drops.
      const current = await this.specs.current(tx);
      const { orphans, stranded } = await this.leftBehind(tx, spec, runningSpec(current?.spec));
      if (orphans.length > 0) throw orphansProfiles(orphans);
      if (stranded.length > 0)
        throw networkSpecError(
          'spec_orphans_static_addresses',
          `This spec would leave ${stranded.length} subscriber(s) with a static address it no longer keeps for them: change their addresses first (PATCH /api/v1/subscribers/{imsi}, or the NOC), or keep the DNN's staticRange:\n${strandedLines(stranded)}`,
          { subscribers: stranded },
        );
      const weakSecurityOverride = weak.length > 0;
      return this.insertVersion(tx, {
        spec,
        sourceYaml,
        warnings,
        weakSecurityOverride,
        actor: by.actor,
        requestId,
      });
    });
  }

  /**
   * First start of a demo install (platform `seedDemo`): applies the embedded demo spec when no spec exists
   * yet. Safe to call on every start and from several nodes at once.
   */
  async ensureDemoSpec(): Promise<DemoSpecResult> {
    if (!this.config.seedDemo) return { applied: false, version: null };
    const parsed = parseNetworkSpec(DEMO_NETWORK_YAML);
    if (!parsed.ok)
      throw new Error(
        `the embedded demo network spec is invalid: ${parsed.errors.map(formatIssue).join('; ')}`,
      );
    const { spec, warnings } = parsed;
    return this.database.db.transaction(async (tx) => {
      await this.specs.lockVersions(tx);
      if ((await this.specs.latestVersion(tx)) > 0) return { applied: false, version: null };
      const stored = {
        spec,
        sourceYaml: DEMO_NETWORK_YAML,
        warnings,
        weakSecurityOverride: false,
        actor: SYSTEM_ACTOR,
        requestId: null,
      };
      const applied = await this.insertVersion(tx, stored);
      return { applied: true, version: applied.version };
    });
  }

  /** The Open5GS files for the current spec, with the default MongoDB URI (never a credentialed one). */
  async open5gsConfig(): Promise<Open5gsConfigView> {
    const row = await this.specs.current();
    if (!row) throw networkSpecError('network_spec_not_found', NO_SPEC_YET);
    const checked = validateNetworkSpec(row.spec);
    if (!checked.ok)
      throw invalidSpec(
        `The stored network spec v${row.version} no longer passes validation; apply a corrected spec`,
        checked.errors,
      );
    const files = [...renderAllOpen5gsFiles(checked.spec)].map(([name, content]) => ({ name, content }));
    return { specVersion: row.version, sha256: row.sha256, files };
  }

  /**
   * The profiles and static addresses this spec would break that the running spec does not: what was
   * already out of step (saved before these checks existed, on an upgraded install) does not block an
   * unrelated change, and is fixed on its own; with no running spec, everything counts.
   */
  private async leftBehind(tx: Db, spec: NetworkSpec, running: NetworkSpec | null) {
    const profiles = await this.subscribers.profiles(tx);
    const addresses = await this.staticAddresses(tx);
    // Per address: a subscriber whose IPv4 was already stranded can still have its IPv6 newly stranded.
    const key = (x: StrandedAddress) => `${x.imsi} ${x.staticIpv4 ?? x.staticIpv6}`;
    const before = running
      ? {
          profiles: new Set(orphanedProfiles(profiles, running).map((o) => o.profile)),
          addresses: new Set(strandedAddresses(addresses, running).map(key)),
        }
      : { profiles: new Set<string>(), addresses: new Set<string>() };
    return {
      orphans: orphanedProfiles(profiles, spec).filter((o) => !before.profiles.has(o.profile)),
      stranded: strandedAddresses(addresses, spec).filter((x) => !before.addresses.has(key(x))),
    };
  }

  private async staticAddresses(tx: Db) {
    return (await this.subscribers.withStaticAddresses(tx)).flatMap((r) => {
      const profile = SubscriberProfile.safeParse(r.profile);
      return profile.success ? [{ ...r, profile: profile.data }] : [];
    });
  }

  private async insertVersion(tx: Db, v: NewVersion): Promise<AppliedNetworkSpec> {
    const version = (await this.specs.latestVersion(tx)) + 1;
    const sha256 = specSha256(v.spec);
    const appliedAt = new Date();
    const appliedBy = `${v.actor.type}:${v.actor.id}`;
    await this.specs.insert(
      { version, spec: v.spec, sourceYaml: v.sourceYaml, sha256, appliedBy, appliedAt },
      tx,
    );
    await this.audit.record(
      {
        actor: v.actor,
        action: 'core-network.network-spec.applied',
        target: `network-spec:v${version}`,
        details: {
          ...auditDetails(v.spec, version, sha256, v.warnings),
          weakSecurityOverride: v.weakSecurityOverride,
        },
        requestId: v.requestId,
      },
      tx,
    );
    return { version, sha256, appliedAt, warnings: v.warnings };
  }
}

function toView(row: NetworkSpecRow): NetworkSpecView {
  // Stored only after validation; jsonb changes key order, not content.
  const spec = row.spec as NetworkSpec;
  const { version, sha256, sourceYaml, appliedBy, appliedAt } = row;
  return { version, sha256, spec, sourceYaml, appliedBy, appliedAt };
}

function checkSize(sourceYaml: string): void {
  const size = Buffer.byteLength(sourceYaml, 'utf8');
  if (size > MAX_NETWORK_SPEC_BYTES)
    throw networkSpecError('network_spec_too_large', `The spec is ${size} bytes; the limit is 256 KiB.`);
}

/** One `path: message` per line after the summary, so a CLI printing the message shows them one per line. */
function invalidSpec(summary: string, errors: SpecIssue[], warnings: SpecIssue[] = []) {
  const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
  return networkSpecError(
    'invalid_network_spec',
    `${summary} (${count}):\n${errors.map(formatIssue).join('\n')}`,
    { errors, warnings },
  );
}

/**
 * A spec that no longer serves what a saved profile grants (slice, DNN in that slice, IPv6 pool) would leave
 * every SIM on that profile failing its sessions: Open5GS itself never compares the two (the UDR/HSS serve the
 * profile, the SMF has no subnet for it). One line per profile and need, profiles by name.
 */
function orphansProfiles(orphans: OrphanedProfile[]) {
  const names = orphans.map((o) => o.profile).join(', ');
  const lines = orphans.flatMap((o) => o.needs.map((n) => `profile ${o.profile}: ${n.path}: ${n.message}`));
  return networkSpecError(
    'spec_orphans_profiles',
    `This spec would break subscriber profile(s) ${names}: change or delete them first ("pakawaaz profiles save"), or keep what they need in the spec:\n${lines.join('\n')}`,
    { profiles: orphans },
  );
}

/** What changed, in words an auditor reads; the YAML itself stays in the versions table. */
function auditDetails(spec: NetworkSpec, version: number, sha256: string, warnings: SpecIssue[]) {
  return {
    version,
    sha256,
    plmn: `${spec.plmn.mcc}/${spec.plmn.mnc}`,
    tacs: spec.tacs,
    slices: spec.slices.map(sliceLabel),
    dnns: spec.dnns.map((d) => d.name),
    expectedUeCount: spec.expectedUeCount,
    warnings: warnings.length,
  };
}
