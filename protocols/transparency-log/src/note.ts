import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note (https://c2sp.org/signed-note), as Go's golang.org/x/mod/sumdb/note implements it: a
 * UTF-8 text ending in a newline, a blank line, then signature lines
 *
 *     — <key name> base64(key ID ‖ signature)
 *
 * Key ID = the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key), type 0x01 being
 * Ed25519 over the text (trailing newline included). A verifier key is `name+hex(key ID)+base64(type ‖ key)`.
 */

export type NoteErrorCode =
  | 'note_malformed'
  | 'note_verifier_key_invalid'
  | 'note_verifier_key_hash'
  | 'note_verifier_key_alg'
  | 'note_signer_key_invalid'
  | 'note_no_verified_signature'
  | 'note_signature_invalid'
  | 'note_signer_failed';

export class NoteError extends Error {
  override readonly name = 'NoteError';
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** C2SP signed-note: signature type 0x01 = Ed25519. */
const ALG_ED25519 = 0x01;
const ED25519_KEY = 32;
const ED25519_SIG = 64;
/** Go's note.Open refuses a note with more than 100 signatures. */
export const MAX_NOTE_SIGNATURES = 100;
/** Our own bound: a checkpoint is a few hundred bytes; nothing bigger is read. */
export const MAX_NOTE_BYTES = 64 * 1024;
const SIG_PREFIX = '\u2014 ';

/** Go's isValidName: non-empty, no Unicode space, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s+\u0085]/u.test(name);
}

/** Standard base64 (RFC 4648 §4), canonical: one spelling per byte string, as keys and signatures need. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The 4-byte key ID of C2SP signed-note, as a number. */
export function noteKeyId(name: string, typedKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a]))
    .update(typedKey)
    .digest();
  return digest.readUInt32BE(0);
}

/** Splits at the first count − 1 '+' signs (the last part keeps the rest). */
function splitPlus(text: string, count: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (out.length < count - 1) {
    const at = rest.indexOf('+');
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...out, rest];
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export type NoteVerifier = {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
};

const ed25519Spki = (raw: Uint8Array): KeyObject =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });

/** Parses a verifier key (`name+keyid+base64(0x01 ‖ pubkey)`) as Go's note.NewVerifier does. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // Go's chop: the name and the key ID end at the first two '+'; base64 may hold more of them.
  const [name = '', id = '', b64 = ''] = splitPlus(vkey, 3);
  const key = decodeBase64(b64);
  if (!/^[0-9a-fA-F]{8}$/.test(id) || !key || key.length === 0 || !isValidKeyName(name))
    throw new NoteError('note_verifier_key_invalid', 'malformed verifier key');
  const keyId = Number.parseInt(id, 16);
  if (noteKeyId(name, key) !== keyId)
    throw new NoteError('note_verifier_key_hash', 'the verifier key ID does not match its name and key');
  if (key[0] !== ALG_ED25519) throw new NoteError('note_verifier_key_alg', 'unknown verifier key algorithm');
  if (key.length !== 1 + ED25519_KEY)
    throw new NoteError('note_verifier_key_invalid', 'malformed Ed25519 key');
  const publicKey = ed25519Spki(key.subarray(1));
  return {
    name,
    keyId,
    verify: (message, signature) =>
      signature.length === ED25519_SIG && verify(null, message, publicKey, signature),
  };
}

/** The verifier key string of an Ed25519 public key (raw 32 bytes), as Go's NewEd25519VerifierKey. */
export function ed25519VerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name) || publicKey.length !== ED25519_KEY)
    throw new NoteError('note_verifier_key_invalid', 'a key name without spaces or "+", and 32 key bytes');
  const typed = Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]);
  return `${name}+${hex8(noteKeyId(name, typed))}+${typed.toString('base64')}`;
}

/**
 * A note signer whose private key stays elsewhere (the key service, an HSM): its name and raw Ed25519 public
 * key, and a callback that signs bytes with Ed25519.
 */
export type NoteSigner = {
  readonly name: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array> | Uint8Array;
};

/**
 * A signer from Go's private key string `PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)` (note.NewSigner), for
 * tools and tests; production keys sign through the callback of NoteSigner.
 */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = splitPlus(skey, 5);
  const [p, k, name = '', id = '', b64 = ''] = parts;
  const key = decodeBase64(b64);
  if (
    parts.length !== 5 ||
    p !== 'PRIVATE' ||
    k !== 'KEY' ||
    !isValidKeyName(name) ||
    !/^[0-9a-fA-F]{8}$/.test(id)
  )
    throw new NoteError('note_signer_key_invalid', 'malformed signer key');
  if (!key || key.length !== 1 + ED25519_KEY || key[0] !== ALG_ED25519)
    throw new NoteError('note_signer_key_invalid', 'malformed Ed25519 signer key');
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), key.subarray(1)]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  if (noteKeyId(name, Buffer.concat([Buffer.from([ALG_ED25519]), publicKey])) !== Number.parseInt(id, 16))
    throw new NoteError('note_signer_key_invalid', 'the signer key ID does not match its name and key');
  return { name, publicKey, sign: (message) => sign(null, message, privateKey) };
}

/** Go's note.Open: no ASCII control character but the newline. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/** Whether a text is acceptable note text: UTF-8, ends in "\n", no ASCII control character but "\n". */
function isValidText(text: string): boolean {
  return text.endsWith('\n') && !hasControl(text);
}

/** Signs a text into a note with one signature line per signer (Go's note.Sign). */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  if (!isValidText(text) || text.includes('\n\n') || signers.length === 0)
    throw new NoteError('note_malformed', 'note text must be non-empty lines ending in a newline');
  const message = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  for (const s of signers) {
    if (!isValidKeyName(s.name) || s.publicKey.length !== ED25519_KEY)
      throw new NoteError('note_signer_key_invalid', 'a signer needs a valid name and a 32-byte key');
    const keyId = noteKeyId(s.name, Buffer.concat([Buffer.from([ALG_ED25519]), s.publicKey]));
    let sig: Uint8Array;
    try {
      sig = await s.sign(message);
    } catch (cause) {
      throw new NoteError('note_signer_failed', `signer ${s.name} failed: ${String(cause)}`);
    }
    if (sig.length !== ED25519_SIG)
      throw new NoteError('note_signer_failed', 'an Ed25519 signature has 64 bytes');
    const id = Buffer.alloc(4);
    id.writeUInt32BE(keyId);
    lines.push(`${SIG_PREFIX}${s.name} ${Buffer.concat([id, sig]).toString('base64')}\n`);
  }
  return `${text}\n${lines.join('')}`;
}

export type NoteSignature = { readonly name: string; readonly keyId: number; readonly base64: string };

export type OpenedNote = {
  readonly text: string;
  /** Signatures verified by one of the given verifiers. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys none of the verifiers know (other witnesses, say): kept, not trusted. */
  readonly unverified: readonly NoteSignature[];
};

export type NoteResult =
  | ({ readonly ok: true } & OpenedNote)
  | { readonly ok: false; readonly code: NoteErrorCode; readonly message: string };

const malformed = (message: string): NoteResult => ({ ok: false, code: 'note_malformed', message });

/**
 * Opens a signed note (Go's note.Open), never throwing: the text and its signatures, at least one verified by
 * the given verifiers. An unknown key's signature is kept as unverified; a known key's bad signature fails the
 * whole note (as upstream: a key we trust never signs garbage).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): NoteResult {
  const bytes = typeof note === 'string' ? Buffer.from(note, 'utf8') : Buffer.from(note);
  if (bytes.length > MAX_NOTE_BYTES) return malformed('note too large');
  let msg: string;
  try {
    msg = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return malformed('note is not UTF-8');
  }
  if (hasControl(msg)) return malformed('control character in note');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) return malformed('no signature block');
  const text = msg.slice(0, split + 1);
  const sigBlock = msg.slice(split + 2);
  if (sigBlock === '' || !sigBlock.endsWith('\n')) return malformed('signature block must end in a newline');
  const message = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) return malformed('too many signatures');
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) return malformed('signature line without "— "');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = decodeBase64(b64);
    if (!raw || !isValidKeyName(name) || raw.length < 5) return malformed('malformed signature line');
    const keyId = raw.readUInt32BE(0);
    const sig: NoteSignature = { name, keyId, base64: b64 };
    const matches = verifiers.filter((v) => v.name === name && v.keyId === keyId);
    if (matches.length > 1)
      return { ok: false, code: 'note_malformed', message: `ambiguous key ${name}+${hex8(keyId)}` };
    const v = matches[0];
    if (!v) {
      if (!seenUnverified.has(rest)) unverified.push(sig);
      seenUnverified.add(rest);
      continue;
    }
    if (seen.has(`${name}+${keyId}`)) continue;
    seen.add(`${name}+${keyId}`);
    if (!v.verify(message, raw.subarray(4)))
      return {
        ok: false,
        code: 'note_signature_invalid',
        message: `invalid signature for key ${name}+${hex8(keyId)}`,
      };
    verified.push(sig);
  }
  if (verified.length === 0)
    return { ok: false, code: 'note_no_verified_signature', message: 'note has no verifiable signatures' };
  return { ok: true, text, verified, unverified };
}
