import { decodeMlsMessage, type MLSMessage } from 'ts-mls';
import { checkSize, MlsInputError } from './errors.js';

type Wire = MLSMessage['wireformat'];
type Of<W extends Wire> = Extract<MLSMessage, { wireformat: W }>;

/**
 * One whole MLSMessage of the expected wire formats, within `max` bytes: ts-mls's decoder (length-prefixed
 * TLS structures, read linearly), then a check that it used every byte (no trailing data smuggled along).
 */
export function decodeWhole<W extends Wire>(
  bytes: Uint8Array,
  max: number,
  what: string,
  wireformats: readonly W[],
): Of<W> {
  checkSize(bytes, max, what);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    decoded = undefined;
  }
  if (!decoded) throw new MlsInputError('mls_malformed', `the ${what} is not an MLSMessage (RFC 9420 §6)`);
  const [message, used] = decoded;
  if (used !== bytes.length)
    throw new MlsInputError('mls_malformed', `the ${what} has ${bytes.length - used} bytes after its end`);
  if (message.version !== 'mls10') throw new MlsInputError('mls_unsupported', `the ${what} is not MLS 1.0`);
  if (!(wireformats as readonly Wire[]).includes(message.wireformat))
    throw new MlsInputError(
      'mls_unsupported',
      `the ${what} is an ${message.wireformat}, not ${wireformats.join(' or ')}`,
    );
  return message as Of<W>;
}
