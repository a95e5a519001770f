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
 * device runs the build already, or runs a build of ours with a newer patch level (never a downgrade).
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
  if (current && current.securityPatchLevel > release.securityPatchLevel) return null;
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

function takes(r: TargetRollout, stageIndex: number, ring: Ring, deviceId: string): boolean {
  const stage = r.stages[stageIndex];
  return !!stage && inStage(stage, r.id, { id: deviceId, ring });
}
