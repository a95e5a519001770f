import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';
import { CHAT_CIPHERSUITE } from './suite.js';

/**
 * The KeyPackageRefs a Welcome is addressed to (RFC 9420 §12.4.3.1, `EncryptedGroupSecrets.new_member`): the
 * server hands the Welcome to the devices whose KeyPackages those are. Everything else in it is encrypted.
 */
export function readWelcome(
  bytes: Uint8Array,
  suite: string = CHAT_CIPHERSUITE,
): { keyPackageRefs: Uint8Array[] } {
  const { welcome } = decodeWhole(bytes, MLS_LIMITS.maxWelcomeBytes, 'Welcome', ['mls_welcome']);
  if (welcome.cipherSuite !== suite)
    throw new MlsInputError('mls_unsupported', `the Welcome is for ${welcome.cipherSuite}, not ${suite}`);
  if (welcome.secrets.length === 0)
    throw new MlsInputError('mls_malformed', 'the Welcome is addressed to nobody');
  return { keyPackageRefs: welcome.secrets.map((s) => s.newMember) };
}
