import { DEFAULT_RING, inStage, type Ring, type Stage } from './rollout-rules.js';

export type TargetDevice = {
  id: string;
  institutionId: string | null;
  model: string | null;
  osBuild: string | null;
};

type TargetRollout = {
  id: string;
  releaseId: string;
  model: string;
  state: string;
  currentStage: number;
  stages: readonly Stage[];
};
type TargetRelease = {
  id: string;
  model: string;
  buildId: string;
  version: string;
  fingerprint: string;
  securityPatchLevel: string;
};

/** What the answer is computed from (a snapshot of the database). */
export type RolloutFacts = {
  rollouts: readonly TargetRollout[];
  rings: ReadonlyMap<string, Ring>;
  models: readonly { codename: string; name: string | null }[];
  releases: ReadonlyMap<string, TargetRelease>;
};

/** The registered codename a device's attested model names: the codename or the marketing name. */
export function codenameFor(models: RolloutFacts['models'], label: string | null): string | null {
  if (!label) return null;
  const l = label.trim().toLowerCase();
  return models.find((m) => m.codename === l || m.name?.toLowerCase() === l)?.codename ?? null;
}

/**
 * The release a device should move to now (pure). The model's running rollout when its current stage takes
 * the device; otherwise the model's latest completed rollout when its last stage took the device (stragglers
 * that were off-line still get it). Nothing from a paused, halted or scheduled rollout; nothing when the
 * device runs the build already, or runs a build of ours with a newer version or patch level (never a
 * downgrade: once a newer rollout is halted, the previous completed one is offered again).
 */
export function targetOf(facts: RolloutFacts, device: TargetDevice) {
  const codename = codenameFor(facts.models, device.model);
  if (!codename) return null;
  const ring = (device.institutionId && facts.rings.get(device.institutionId)) || DEFAULT_RING;
  const mine = facts.rollouts.filter((r) => r.model === codename);
  const running = mine.find((r) => r.state === 'running');
  const completed = mine.find((r) => r.state === 'completed');
  const candidate =
    running && takes(running, running.currentStage, ring, device.id)
      ? running
      : completed && takes(completed, completed.stages.length - 1, ring, device.id)
        ? completed
        : null;
  if (!candidate) return null;
  const release = facts.releases.get(candidate.releaseId);
  if (!release || release.buildId === device.osBuild) return null;
  const current = [...facts.releases.values()].find(
    (r) => r.model === codename && r.buildId === device.osBuild,
  );
  if (current && isDowngrade(current, release)) return null;
  const { buildId, version, fingerprint, securityPatchLevel } = release;
  return {
    rolloutId: candidate.id,
    releaseId: release.id,
    buildId,
    version,
    fingerprint,
    securityPatchLevel,
  };
}

/** Dotted versions compared segment by segment, numbers as numbers ("9" < "10", "15" = "15.0" < "15.0.1"). */
export function compareVersions(a: string, b: string): number {
  const as = a.trim().split('.');
  const bs = b.trim().split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    // A missing segment is 0: "15" and "15.0" are the same version.
    const x = as[i] ?? '0';
    const y = bs[i] ?? '0';
    const c =
      /^\d+$/.test(x) && /^\d+$/.test(y) ? cmpDigits(x, y) : x.localeCompare(y, 'en', { numeric: true });
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

/** Digit strings of any length by value: without leading zeros, the longer is the larger. */
function cmpDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

const isDowngrade = (from: TargetRelease, to: TargetRelease) =>
  compareVersions(from.version, to.version) > 0 || from.securityPatchLevel > to.securityPatchLevel;

function takes(r: TargetRollout, stageIndex: number, ring: Ring, deviceId: string): boolean {
  const stage = r.stages[stageIndex];
  return !!stage && inStage(stage, r.id, { id: deviceId, ring });
}
