/**
 * The lab handset's anti-downgrade rules (pure), checked on a TUF target that tuf-js has already verified
 * (signatures, thresholds, expiry, versions, snapshot consistency). TUF proves the server's repository said
 * so; these rules refuse what the handset must never install even when the repository signs it: an older OS,
 * an older security patch, another model's build, or an incremental payload made for another base build.
 */

/** What the handset runs now. `version` and `securityPatch` may be unknown on an old saved state. */
export type RunningOs = { model: string; buildId: string; version?: string; securityPatch?: string };

/** A target's `custom` as hardened-os publishes it (hardened-os/src/tuf/release-targets.ts). */
export type OtaTargetCustom = {
  model: string;
  buildId: string;
  version: string;
  securityPatchLevel: string;
  kind: 'full' | 'incremental';
  fromBuildId?: string;
  fingerprint?: string;
};

/** The target names a handset looks for, best first: the incremental from its build, then the full payload. */
export function targetNames(model: string, version: string, runningBuild: string): string[] {
  return [`${model}/${version}/incremental-from-${runningBuild}.zip`, `${model}/${version}/full.zip`];
}

const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** A target's custom fields, or why they cannot be trusted to decide (missing or mistyped fields). */
export function parseCustom(custom: unknown): OtaTargetCustom | string {
  const c = (custom ?? {}) as Record<string, unknown>;
  for (const field of ['model', 'buildId', 'version', 'securityPatchLevel'] as const)
    if (!text(c[field])) return `target metadata lacks custom.${field}`;
  if (c['kind'] !== 'full' && c['kind'] !== 'incremental') return 'target metadata lacks custom.kind';
  if (c['kind'] === 'incremental' && !text(c['fromBuildId'])) return 'incremental target lacks fromBuildId';
  return c as unknown as OtaTargetCustom;
}

/**
 * Dotted versions compared numerically part by part ("15.10" > "15.2"; "15" < "15.1"); a part that is not a
 * number compares as text. Negative: a is older.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Why the handset refuses this target, or null when it may install it. */
export function refusal(target: OtaTargetCustom, running: RunningOs): string | null {
  if (target.model !== running.model)
    return `wrong model: the target is for ${target.model}, this handset is ${running.model}`;
  if (target.buildId === running.buildId) return `already running ${running.buildId}`;
  if (running.securityPatch && target.securityPatchLevel < running.securityPatch)
    return `downgrade refused: ${target.securityPatchLevel} < ${running.securityPatch}`;
  if (running.version && compareVersions(target.version, running.version) < 0)
    return `downgrade refused: version ${target.version} < ${running.version}`;
  if (target.kind === 'incremental' && target.fromBuildId !== running.buildId)
    return `incremental payload from ${target.fromBuildId ?? '?'}, this handset runs ${running.buildId}`;
  return null;
}
