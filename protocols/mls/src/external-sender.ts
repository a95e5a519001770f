import { p256 } from '@noble/curves/nist.js';
import {
  decodeExternalSender,
  encodeExternalSender,
  encodeMlsMessage,
  type Credential,
  type Extension,
  type GroupContext,
  type GroupInfo,
  type MLSMessage,
} from 'ts-mls';
import { protectExternalProposalPublic } from 'ts-mls/messageProtectionPublic.js';
import { decodeWhole } from './decode.js';
import { MLS_LIMITS, MlsInputError } from './errors.js';
import { chatSuite } from './suite.js';

/** The delivery service's signing key as an external sender (P-256: the suite's signature scheme). */
export type ExternalSenderKey = { publicKey: Uint8Array; privateKey: Uint8Array };

/**
 * An external sender whose private key stays where it is (the kernel key service: a file or an HSM):
 * `signEs256` is ECDSA P-256 over SHA-256 of the data, returning JWS's r ‖ s (64 bytes).
 */
export type ExternalSenderSigner = {
  publicKey: Uint8Array;
  signEs256(data: Uint8Array): Promise<Uint8Array>;
};

/** The credential the server signs external proposals under (basic: members pin its key, not its name). */
export const EXTERNAL_SENDER_IDENTITY = 'pakawaaz-delivery-service';

export function newExternalSenderKey(): ExternalSenderKey {
  const privateKey = p256.utils.randomSecretKey();
  // Uncompressed (SEC1 0x04 ‖ x ‖ y), the encoding RFC 9420 §5.1.1 gives ECDSA signature public keys.
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}

export function externalSenderCredential(): Credential {
  return { credentialType: 'basic', identity: new TextEncoder().encode(EXTERNAL_SENDER_IDENTITY) };
}

/**
 * The group context extension that lets the server propose (RFC 9420 §12.1.8.1). ts-mls 1.6.4 reads one
 * ExternalSender per `external_senders` extension (sender index = the extension's position among them), not
 * the RFC's vector in one extension: both ends of secure chat use ts-mls, and this is its encoding.
 */
export function externalSenderExtension(publicKey: Uint8Array): Extension {
  return {
    extensionType: 'external_senders',
    extensionData: encodeExternalSender({
      signaturePublicKey: publicKey,
      credential: externalSenderCredential(),
    }),
  };
}

/**
 * A Remove proposal for `leafIndex`, sent by the server as the group's external sender (a PublicMessage):
 * members commit it, after which the removed device holds no key of the new epoch.
 */
export async function externalRemove(
  groupInfo: GroupInfo | Uint8Array,
  leafIndex: number,
  sender: ExternalSenderKey | ExternalSenderSigner,
): Promise<Uint8Array> {
  const info =
    groupInfo instanceof Uint8Array
      ? decodeWhole(groupInfo, MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo', ['mls_group_info']).groupInfo
      : groupInfo;
  const suite = await chatSuite();
  // A signer: ts-mls signs through the suite, so the suite's sign is the signer's (MLS wants DER ECDSA).
  const cs =
    'signEs256' in sender
      ? {
          ...suite,
          signature: {
            ...suite.signature,
            sign: async (_key: Uint8Array, data: Uint8Array) =>
              p256.Signature.fromBytes(await sender.signEs256(data), 'compact').toBytes('der'),
          },
        }
      : suite;
  const senderIndex = externalSenderIndex(info.groupContext, sender.publicKey);
  let message: MLSMessage;
  try {
    const { publicMessage } = await protectExternalProposalPublic(
      'signEs256' in sender ? new Uint8Array(32) : sender.privateKey,
      info.groupContext,
      new Uint8Array(),
      { proposalType: 'remove', remove: { removed: leafIndex } },
      { senderType: 'external', senderIndex },
      cs,
    );
    message = { wireformat: 'mls_public_message', version: info.groupContext.version, publicMessage };
  } catch (err) {
    throw new MlsInputError(
      'mls_malformed',
      `cannot propose the removal: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return encodeMlsMessage(message);
}

/**
 * The server's sender index as members read it: its position among the `external_senders` extensions only
 * (ts-mls's proposeExternal counts every extension, so a group context with another extension before the
 * server's would get a Remove every member refuses).
 */
export function externalSenderIndex(context: GroupContext, publicKey: Uint8Array): number {
  const keys = context.extensions
    .filter((e) => e.extensionType === 'external_senders')
    .map((e) => decodeExternalSender(e.extensionData, 0)?.[0].signaturePublicKey);
  const index = keys.findIndex((k) => k && Buffer.from(k).equals(Buffer.from(publicKey)));
  if (index < 0)
    throw new MlsInputError('mls_malformed', "the group does not list the server's external sender");
  return index;
}
