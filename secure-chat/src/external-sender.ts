import type { KeyService } from '@pakawaaz/platform';
import type { ChatExternalSender } from './chat-ports.js';
import type { SecureChatConfig } from './secure-chat.config.js';

/** The external-sender key's name in the key service (a file backend's file, or an HSM label). */
export const EXTERNAL_SENDER_KEY = 'chat-external-sender';

/**
 * The server's MLS external sender: a P-256 key in the key service (the private half never leaves it), its
 * public key as MLS carries a P-256 signature_key (the uncompressed point).
 */
export async function useExternalSender(
  keys: KeyService,
  config: SecureChatConfig,
): Promise<ChatExternalSender> {
  const signer = await keys.useSigner({
    name: EXTERNAL_SENDER_KEY,
    file: config.externalSenderKeyFile,
    alg: 'ES256',
  });
  const { crv, x, y } = signer.publicJwk;
  if (crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string')
    throw new Error('the chat external-sender key is not a P-256 key');
  return {
    signatureKey: new Uint8Array(
      Buffer.concat([Buffer.of(4), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]),
    ),
    signEs256: async (data) => new Uint8Array(await signer.sign(data)),
  };
}
