import { TARGET_NAME } from './tuf-metadata.schema.js';
import type { TargetEntry } from './tuf-repository.js';

/** The registry facts of one stored payload, as the targets export lists them. */
export type PublishablePayload = {
  release: {
    id: string;
    model: string;
    buildId: string;
    fingerprint: string;
    version: string;
    securityPatchLevel: string;
    channel: string;
  };
  payload: { kind: 'full' | 'incremental'; fromBuildId: string; sha256: string; sizeBytes: number };
};

/**
 * A payload's target: `<codename>/<version>/full.zip` or `…/incremental-from-<build>.zip`, fetched (consistent
 * snapshots) at /ota/targets/<codename>/<version>/<sha256>.<file>. `custom` carries what the handset's
 * anti-downgrade check compares (version, patch level) and what it installs on (build, kind). Undefined when
 * the version or build id cannot be a URL path segment.
 */
export function targetOf(p: PublishablePayload): TargetEntry | undefined {
  const file = p.payload.kind === 'full' ? 'full.zip' : `incremental-from-${p.payload.fromBuildId}.zip`;
  const name = `${p.release.model}/${p.release.version}/${file}`;
  if (!TARGET_NAME.test(name) || name.split('/').length !== 3) return undefined;
  return {
    name,
    length: p.payload.sizeBytes,
    sha256: p.payload.sha256,
    custom: {
      releaseId: p.release.id,
      model: p.release.model,
      buildId: p.release.buildId,
      fingerprint: p.release.fingerprint,
      version: p.release.version,
      securityPatchLevel: p.release.securityPatchLevel,
      channel: p.release.channel,
      kind: p.payload.kind,
      ...(p.payload.kind === 'incremental' ? { fromBuildId: p.payload.fromBuildId } : {}),
    },
  };
}

/** The stored payload a target URL names: `<model>/<version>/<sha256>.<file>` → its target name and hash. */
export function parseTargetPath(
  model: string,
  version: string,
  hashed: string,
): { name: string; sha256: string } | undefined {
  const m = /^([0-9a-f]{64})\.(.+)$/.exec(hashed);
  if (!m) return undefined;
  const name = `${model}/${version}/${m[2]}`;
  return TARGET_NAME.test(name) ? { name, sha256: m[1]! } : undefined;
}
