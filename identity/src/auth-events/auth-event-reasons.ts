/**
 * Why a sign-in ended as it did, as stable codes an operator can filter on (pure). The codes are the
 * diagnosis FreeRADIUS's post-auth log and Keycloak's login events give: the NAS and the requester get the
 * same Access-Reject or `invalid_credentials` whatever failed, only this log tells them apart.
 */

export const AUTH_EVENT_CHANNELS = ['http', 'radius'] as const;
export type AuthEventChannel = (typeof AUTH_EVENT_CHANNELS)[number];

export const AUTH_EVENT_RESULTS = ['accept', 'reject', 'drop'] as const;
export type AuthEventResult = (typeof AUTH_EVENT_RESULTS)[number];

export const AUTH_EVENT_REASONS = {
  ok: 'signed in',
  wrong_password: 'wrong password',
  unknown_user: 'unknown user',
  account_disabled: 'account disabled',
  password_closed: 'password step closed (guess limit reached)',
  throttled: 'too many attempts (back-off)',
  totp_invalid: 'wrong TOTP code',
  totp_replayed: 'replayed TOTP code',
  totp_not_enrolled: 'no TOTP enrolled',
  recovery_code_invalid: 'wrong recovery code',
  passkey_invalid: 'passkey not verified',
  device_invalid: 'device not verified',
  malformed_request: 'malformed request (no user name or password)',
  unknown_sim: 'unknown or unassigned SIM',
  barred_sim: 'barred SIM',
  sim_owner_disabled: "SIM's official disabled",
  sim_owner_not_official: "SIM's holder is a NOC operator, not an official",
  capability_not_enabled: "SIM sign-in not enabled in the institution's rollout phase",
  sim_auth_failed: 'SIM authentication failed (bad RES or MAC)',
  sync_failure: 'SIM sequence resynchronisation failed',
  sim_client_error: 'the SIM refused the network',
  no_permanent_identity: 'no permanent identity (IMSI) given',
  eap_protocol_error: 'EAP protocol error',
  eap_unknown_state: 'EAP conversation expired or unknown',
  eap_not_available: 'EAP-AKA not available on this node',
  eap_discarded: 'EAP response discarded (stale or duplicate)',
  unknown_nas: 'unknown NAS (address not a registered client)',
  nas_disabled: 'NAS client disabled',
  bad_message_authenticator: 'bad Message-Authenticator (wrong shared secret?)',
  missing_message_authenticator: 'Message-Authenticator missing',
  wrong_shared_secret: 'wrong shared secret (bad Request Authenticator)',
  malformed_packet: 'malformed RADIUS packet',
  overloaded: 'server overloaded',
  server_error: 'server error',
} as const;
export type AuthEventReason = keyof typeof AUTH_EVENT_REASONS;
export const AUTH_EVENT_REASON_CODES = Object.keys(AUTH_EVENT_REASONS) as AuthEventReason[];

/** What LoginFailures knows of the account a failed step named. */
export type StepAccount = { readonly status: string } | undefined;

/**
 * A failed HTTP step's factor (`password`, `totp:replayed`, `sim:bad_res`, …) as a reason and method. The
 * password step says `password` for a wrong password, an unknown and a disabled account alike; the account
 * tells them apart.
 */
export function httpFailure(
  factor: string,
  account: StepAccount,
): { method: string; reason: AuthEventReason } {
  const [base = '', detail = ''] = factor.split(':', 2);
  const method = base.startsWith('password') ? 'password' : base;
  if (base.startsWith('password')) {
    if (detail === 'closed') return { method, reason: 'password_closed' };
    if (!account) return { method, reason: 'unknown_user' };
    return { method, reason: account.status === 'active' ? 'wrong_password' : 'account_disabled' };
  }
  switch (base) {
    case 'totp':
      return { method: 'totp', reason: totpReason(detail) };
    case 'recovery-code':
      return { method, reason: 'recovery_code_invalid' };
    case 'passkey':
      return { method, reason: 'passkey_invalid' };
    case 'sim':
      return { method, reason: detail === 'not-owner' ? 'unknown_sim' : eapAkaReason(detail) };
    default:
      return { method: base || 'unknown', reason: 'device_invalid' };
  }
}

function totpReason(check: string): AuthEventReason {
  if (check === 'replayed') return 'totp_replayed';
  if (check === 'not_enrolled') return 'totp_not_enrolled';
  return 'totp_invalid';
}

/** The facts of one PAP check, in the order they were made. */
export type PapFacts = {
  readonly user: StepAccount;
  readonly passwordOk: boolean;
  readonly codeWellFormed: boolean;
  /** The TOTP check, when the password passed: `ok`, `invalid`, `replayed`, `not_enrolled`. */
  readonly totp: string | null;
};

export function papReason(f: PapFacts): AuthEventReason {
  if (!f.user) return 'unknown_user';
  if (!f.passwordOk) return 'wrong_password';
  if (f.user.status !== 'active') return 'account_disabled';
  if (!f.codeWellFormed) return 'totp_invalid';
  return f.totp === 'ok' ? 'ok' : totpReason(f.totp ?? 'invalid');
}

/** The EAP-AKA server's failure reasons and RadiusEap's own. */
export function eapAkaReason(reason: string): AuthEventReason {
  switch (reason) {
    case 'rejected':
    case 'no_owner':
    case 'not-owner':
      return 'unknown_sim';
    case 'bad_mac':
    case 'bad_res':
    case 'bad_checkcode':
      return 'sim_auth_failed';
    case 'repeated_sync_failure':
      return 'sync_failure';
    case 'client_error':
      return 'sim_client_error';
    case 'no_permanent_identity':
      return 'no_permanent_identity';
    case 'unknown_state':
      return 'eap_unknown_state';
    default:
      return 'eap_protocol_error';
  }
}

/** The RADIUS server's drop reasons (framing, verification, the server's own) as log reasons. */
export function radiusDropReason(drop: string): AuthEventReason {
  switch (drop) {
    case 'unknown_client':
      return 'unknown_nas';
    case 'bad_message_authenticator':
      return 'bad_message_authenticator';
    case 'missing_message_authenticator':
      return 'missing_message_authenticator';
    case 'bad_request_authenticator':
      return 'wrong_shared_secret';
    case 'overloaded':
      return 'overloaded';
    case 'handler_error':
    case 'encode_error':
    case 'internal_error':
      return 'server_error';
    default:
      return 'malformed_packet';
  }
}

const EAP_TYPE_AKA = 23;
const EAP_TYPE_AKA_PRIME = 50;
const EAP_TYPE_IDENTITY = 1;

/**
 * The method of an EAP-Message a peer sent: the AKA type of a response, or for an Identity response the
 * method its identity asks for (a leading 6, 7 or 8 is EAP-AKA', RFC 9048 §3). Other bytes: plain 'eap'.
 */
export function eapMethodOf(eap: Buffer): string {
  if (eap.length < 5 || eap[0] !== 2) return 'eap';
  const type = eap[4];
  if (type === EAP_TYPE_AKA) return 'eap-aka';
  if (type === EAP_TYPE_AKA_PRIME) return "eap-aka'";
  if (type === EAP_TYPE_IDENTITY && eap.length > 5)
    return /^[678]/.test(String.fromCharCode(eap[5]!)) ? "eap-aka'" : 'eap-aka';
  return 'eap';
}

/** The IMSI of a permanent EAP-AKA identity (`0<IMSI>@realm`, `6<IMSI>@realm`); null for pseudonyms. */
export function imsiOfIdentity(identity: string | undefined): string | null {
  const m = /^[06](\d{6,15})(@|$)/.exec(identity ?? '');
  return m?.[1] ?? null;
}

/** An IMSI for viewers outside the national scope: the network code and the last three digits. */
export function maskImsi(imsi: string): string {
  if (imsi.length <= 8) return '*'.repeat(imsi.length);
  return `${imsi.slice(0, 5)}${'*'.repeat(imsi.length - 8)}${imsi.slice(-3)}`;
}

/** An identity that embeds an IMSI, masked the same way (`0<IMSI>@realm`). */
export function maskIdentity(name: string): string {
  const imsi = imsiOfIdentity(name);
  return imsi ? `${name[0]}${maskImsi(imsi)}${name.slice(1 + imsi.length)}` : name;
}
