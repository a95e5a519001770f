import { hardenedOsError } from '../hardened-os.errors.js';
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
