import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { ApiError, type Schemas } from '../api/client';

type WebAuthnOptions = Schemas['WebAuthnOptions'];
type CredentialJson = Schemas['PasskeyLoginRequest']['response'];

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/**
 * What went wrong in the browser's part of a passkey ceremony, for the operator. The most common causes:
 * the prompt was dismissed, or the NOC was opened at an address outside the passkeys' relying party.
 */
function ceremonyError(error: unknown, rpId: string | undefined): ApiError {
  const code = error instanceof WebAuthnError ? error.code : null;
  const name = error instanceof Error ? error.name : '';
  const here = window.location.hostname;
  const message =
    code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError'
      ? `Passkeys here belong to ${rpId ?? 'another address'}, but this page is ${here}: open the NOC at ${rpId ?? 'its configured address'} to use one.`
      : code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'
        ? 'This authenticator already holds a passkey for your account.'
        : code === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError'
          ? 'The passkey prompt was closed or timed out: nothing was signed.'
          : error instanceof Error && error.message
            ? error.message
            : 'The browser could not use a passkey.';
  return new ApiError(0, 'passkey_ceremony', message, null);
}

/** A usernameless sign-in: the authenticator picks the account from its discoverable credentials. */
export async function signInWithPasskey(options: WebAuthnOptions): Promise<CredentialJson> {
  const optionsJSON = options as unknown as PublicKeyCredentialRequestOptionsJSON;
  let credential: AuthenticationResponseJSON;
  try {
    credential = await startAuthentication({ optionsJSON });
  } catch (caught) {
    throw ceremonyError(caught, optionsJSON.rpId);
  }
  return credential as unknown as CredentialJson;
}

/** Creates a passkey for the signed-in account from the server's creation options. */
export async function createPasskey(options: WebAuthnOptions): Promise<CredentialJson> {
  const optionsJSON = options as unknown as PublicKeyCredentialCreationOptionsJSON;
  let credential: RegistrationResponseJSON;
  try {
    credential = await startRegistration({ optionsJSON });
  } catch (caught) {
    throw ceremonyError(caught, optionsJSON.rp.id);
  }
  return credential as unknown as CredentialJson;
}
