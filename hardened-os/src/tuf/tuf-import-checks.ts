import { hardenedOsError } from '../hardened-os.errors.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { isDemoRoot } from './demo-keys.js';
import { parseMetadata, TufMetadataError, verifyThreshold, type Envelope } from './tuf-metadata.js';
import type { RootSigned, TufRole } from './tuf-metadata.schema.js';

/** An uploaded body as metadata of `role`: 400 tuf_metadata_invalid when it is not. */
export function parseUpload<R extends TufRole>(role: R, body: unknown): Envelope<R> {
  try {
    return parseMetadata(role, Buffer.from(JSON.stringify(body ?? null)));
  } catch (err) {
    if (err instanceof TufMetadataError) throw hardenedOsError('tuf_metadata_invalid', err.message);
    throw err;
  }
}

/** Runs TUF checks; a failed one is 422 tuf_metadata_rejected with its message. */
export function checked(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof TufMetadataError) throw hardenedOsError('tuf_metadata_rejected', err.message);
    throw err;
  }
}

/** Metadata whose threshold holds only thanks to a compromised key is refused (409 tuf_key_refused). */
export function refuseCompromised(
  e: Envelope<TufRole>,
  role: 'root' | 'targets',
  root: RootSigned,
  compromised: readonly string[],
): void {
  const bad = new Set(compromised);
  if (!e.signatures.some((s) => bad.has(s.keyid))) return;
  try {
    verifyThreshold({ ...e, signatures: e.signatures.filter((s) => !bad.has(s.keyid)) }, root, role);
  } catch {
    throw hardenedOsError('tuf_key_refused', `${role} metadata is signed with a key marked compromised.`);
  }
}

/**
 * Handsets ship with the first root as their trust anchor: one marked demo-only (its keys are files on an
 * operator's disk) must never become production's by accident (409 tuf_demo_root_refused).
 */
export function refuseDemoRoot(root: Envelope<'root'>, allowed: boolean): void {
  if (isDemoRoot(root) && !allowed)
    throw hardenedOsError(
      'tuf_demo_root_refused',
      'This root is marked demo-only (its root and targets keys are files on disk). Run the signing ' +
        'ceremony with offline keys, or set PAKAWAAZ_OS_TUF_ALLOW_DEMO_ROOT=true on a test system.',
    );
}

/**
 * Every target must be a stored payload of the signed length (422 tuf_target_unknown): clients could never
 * download a missing one, and refuse one whose length differs from the signed one.
 */
export async function checkTargetsStored(
  targets: Envelope<'targets'>,
  payloads: PayloadStore,
): Promise<void> {
  for (const [name, file] of Object.entries(targets.signed.targets)) {
    const size = await payloads.sizeOf(file.hashes.sha256);
    if (size === undefined)
      throw hardenedOsError('tuf_target_unknown', `Target ${name} is not a stored OTA payload.`);
    if (size !== file.length)
      throw hardenedOsError(
        'tuf_target_unknown',
        `Target ${name} says ${file.length} bytes; the stored payload has ${size}.`,
      );
  }
}
