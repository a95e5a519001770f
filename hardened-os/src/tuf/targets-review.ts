import { canonicalJson } from './canonical-json.js';
import { CeremonyError } from './ceremony.js';
import { TufMetadataError, verifyThreshold, type Envelope } from './tuf-metadata.js';
import type { TargetFile } from './tuf-metadata.schema.js';

export type TargetsDiff = { added: string[]; removed: string[]; changed: string[]; unchanged: string[] };

/** What a new targets list changes against the one signed now (by name; a changed hash, length or custom). */
export function diffTargets(
  current: Record<string, TargetFile>,
  next: Record<string, TargetFile>,
): TargetsDiff {
  const diff: TargetsDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const name of Object.keys(next).sort()) {
    const before = current[name];
    if (!before) diff.added.push(name);
    else if (!canonicalJson(before).equals(canonicalJson(next[name]))) diff.changed.push(name);
    else diff.unchanged.push(name);
  }
  diff.removed = Object.keys(current)
    .filter((n) => !next[n])
    .sort();
  return diff;
}

/**
 * The currently signed targets to diff against, checked against root first: the file came from the server,
 * which the signing room does not trust — only the targets keys' signatures make it "what is signed now".
 */
export function verifiedCurrent(current: Envelope<'targets'>, root: Envelope<'root'>): Envelope<'targets'> {
  try {
    verifyThreshold(current, root.signed, 'targets');
  } catch (err) {
    throw new CeremonyError(`--current: ${(err as TufMetadataError).message}`);
  }
  return current;
}

// Control characters in names or custom values come from the server: shown escaped, never as terminal codes.
const text = (v: unknown) =>
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  String(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);

/** The review the signer reads before signing: every target with its hash, size and release, then the diff. */
export function reviewTargets(
  next: Envelope<'targets'>,
  current: Envelope<'targets'> | undefined,
): { text: string; diff: TargetsDiff } {
  const targets = next.signed.targets;
  const diff = diffTargets(current?.signed.targets ?? {}, targets);
  const mark = (name: string) => (diff.added.includes(name) ? '+' : diff.changed.includes(name) ? '~' : ' ');
  const lines = [`targets version ${next.signed.version}, expires ${next.signed.expires}:`];
  for (const name of Object.keys(targets).sort()) {
    const t = targets[name]!;
    const custom = t.custom ?? {};
    lines.push(
      `${mark(name)} ${text(name)}  sha256 ${t.hashes.sha256}  ${t.length} bytes  ` +
        `version ${text(custom.version ?? '?')}  patch level ${text(custom.securityPatchLevel ?? '?')}`,
    );
  }
  for (const name of diff.removed) lines.push(`- ${text(name)}  (removed)`);
  lines.push(
    current
      ? `against signed version ${current.signed.version}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`
      : `no --current targets given: every target is shown as added (${diff.added.length})`,
  );
  return { text: `${lines.join('\n')}\n`, diff };
}
