import { canonicalJson } from './canonical-json.js';
import {
  keyIdOf,
  signCanonical,
  verifyCanonical,
  type TufSignature,
  type TufSigner,
  type TufSigningKey,
} from './tuf-keys.js';
import {
  envelopeSchema,
  MAX_METADATA_BYTES,
  publicKeySchema,
  type RootSigned,
  type SignedOf,
  type TufRole,
} from './tuf-metadata.schema.js';

export type Envelope<R extends TufRole> = { signatures: TufSignature[]; signed: SignedOf[R] };

/** Why metadata was refused; `reason` is stable (tests and API error codes read it). */
export class TufMetadataError extends Error {
  constructor(
    readonly reason: 'malformed' | 'too_large' | 'signature' | 'version' | 'expired' | 'key',
    message: string,
  ) {
    super(message);
  }
}

/** Signs `signed` with each key (a threshold of signers signs the same canonical bytes). */
export function signMetadata<R extends TufRole>(signed: SignedOf[R], keys: TufSigningKey[]): Envelope<R> {
  return { signatures: keys.map((k) => signCanonical(signed, k)), signed };
}

/** Signs with signers that may be remote (the key service, an HSM): each signs the same canonical bytes. */
export async function signMetadataWith<R extends TufRole>(
  signed: SignedOf[R],
  signers: TufSigner[],
): Promise<Envelope<R>> {
  const bytes = canonicalJson(signed);
  const signatures = await Promise.all(
    signers.map(async (s) => ({ keyid: s.keyid, sig: (await s.sign(bytes)).toString('hex') })),
  );
  return { signatures, signed };
}

/** The bytes served and stored: ordinary JSON (clients re-canonicalise `signed` to verify). */
export function serializeMetadata(envelope: Envelope<TufRole>): Buffer {
  return Buffer.from(`${JSON.stringify(envelope, null, 1)}\n`, 'utf8');
}

/** Parses untrusted bytes as metadata of `role`: size, JSON and shape are checked; signatures are not. */
export function parseMetadata<R extends TufRole>(role: R, bytes: Buffer | string): Envelope<R> {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > MAX_METADATA_BYTES[role])
    throw new TufMetadataError(
      'too_large',
      `${role} metadata is larger than ${MAX_METADATA_BYTES[role]} bytes`,
    );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    throw new TufMetadataError('malformed', `${role} metadata is not JSON`);
  }
  const parsed = envelopeSchema(role).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top)';
    throw new TufMetadataError('malformed', `${role} metadata: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  // Signatures are checked over canonical JSON, which has no floats and a depth limit: metadata that cannot
  // be canonicalised is malformed input (a 400), not an error while verifying.
  try {
    canonicalJson((parsed.data as { signed: unknown }).signed);
  } catch (err) {
    throw new TufMetadataError('malformed', `${role} metadata: ${(err as Error).message}`);
  }
  return parsed.data as unknown as Envelope<R>;
}

/**
 * Counts distinct keys of `role` (as `root` delegates it) with a valid signature over `envelope`, and
 * refuses fewer than the role's threshold. A keyid listed for the role but absent from `keys`, a key of an
 * unknown type, or a repeated keyid never counts (spec §5.3.4: each key once).
 */
export function verifyThreshold(envelope: Envelope<TufRole>, root: RootSigned, role: TufRole): void {
  const delegation = root.roles[role];
  const valid = new Set<string>();
  for (const s of envelope.signatures) {
    if (!delegation.keyids.includes(s.keyid) || valid.has(s.keyid)) continue;
    const parsedKey = publicKeySchema.safeParse(root.keys[s.keyid]);
    if (!parsedKey.success) continue;
    const key = parsedKey.data;
    if (key.keytype !== 'ed25519' || key.scheme !== 'ed25519') continue;
    const pub = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: key.keyval.public } } as const;
    if (verifyCanonical(envelope.signed, pub, s.sig)) valid.add(s.keyid);
  }
  if (valid.size < delegation.threshold)
    throw new TufMetadataError(
      'signature',
      `${role} metadata has ${valid.size} valid signature(s) of the ${delegation.threshold} its threshold needs`,
    );
}

/**
 * Root rotation (spec §5.3): version N+1 must be signed by a threshold of the trusted root's root keys AND
 * a threshold of its own root keys, so neither a stolen old key set nor an unendorsed new one suffices.
 */
export function verifyRootRotation(trusted: RootSigned, next: Envelope<'root'>): void {
  if (next.signed.version !== trusted.version + 1)
    throw new TufMetadataError(
      'version',
      `the new root must be version ${trusted.version + 1}, not ${next.signed.version}`,
    );
  verifyThreshold(next, trusted, 'root');
  verifyThreshold(next, next.signed, 'root');
}

export function isExpired(signed: { expires: string }, now: Date): boolean {
  return Date.parse(signed.expires) <= now.getTime();
}

/** TUF's expiry form: whole seconds, UTC. */
export function tufDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Checks that every keyid of `root` is the hash of its key (a mislabelled key would confuse signers). */
export function checkKeyIds(root: RootSigned): void {
  const seen = new Map<string, string>();
  for (const [id, key] of Object.entries(root.keys)) {
    if (keyIdOf(key) !== id) throw new TufMetadataError('key', `keyid ${id} is not the SHA-256 of its key`);
    // The same public key under two keyids (another scheme string, an extra field) would count twice
    // toward a threshold: one key holder meeting a 2-of-n alone.
    const material = `${key.keytype}:${key.keyval.public.toLowerCase()}`;
    const other = seen.get(material);
    if (other) throw new TufMetadataError('key', `keyids ${other} and ${id} are the same public key`);
    seen.set(material, id);
  }
  // The server holds one snapshot and one timestamp key: a higher threshold could never be met.
  for (const role of ['snapshot', 'timestamp'] as const)
    if (root.roles[role].threshold !== 1)
      throw new TufMetadataError('key', `the ${role} threshold must be 1 (the server holds one ${role} key)`);
}
