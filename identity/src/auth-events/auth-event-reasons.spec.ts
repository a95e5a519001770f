import { RADIUS_DROP_REASONS } from '@pakawaaz/radius';
import { describe, expect, it } from 'vitest';
import { RADIUS_SERVER_DROP_REASONS } from '../radius/radius-dispatch.js';
import {
  AUTH_EVENT_REASONS,
  eapAkaReason,
  eapMethodOf,
  httpFailure,
  imsiOfIdentity,
  maskIdentity,
  maskImsi,
  papReason,
  radiusDropReason,
} from './auth-event-reasons.js';

const active = { status: 'active' };
const disabled = { status: 'disabled' };

describe('HTTP sign-in step failures', () => {
  it.each([
    ['password', undefined, 'password', 'unknown_user'],
    ['password', active, 'password', 'wrong_password'],
    ['password', disabled, 'password', 'account_disabled'],
    ['password:closed', active, 'password', 'password_closed'],
    ['password-after-factor', active, 'password', 'wrong_password'],
    ['password-after-factor:closed', active, 'password', 'password_closed'],
    ['totp:invalid', active, 'totp', 'totp_invalid'],
    ['totp:replayed', active, 'totp', 'totp_replayed'],
    ['totp:not_enrolled', active, 'totp', 'totp_not_enrolled'],
    ['recovery-code', active, 'recovery-code', 'recovery_code_invalid'],
    ['passkey', undefined, 'passkey', 'passkey_invalid'],
    ['sim:not-owner', active, 'sim', 'unknown_sim'],
    ['sim:bad_res', active, 'sim', 'sim_auth_failed'],
    ['sim:repeated_sync_failure', active, 'sim', 'sync_failure'],
    ['device:binding-or-signature', active, 'device', 'device_invalid'],
  ] as const)('%s (account %o) → %s %s', (factor, account, method, reason) => {
    expect(httpFailure(factor, account)).toEqual({ method, reason });
  });
});

describe('PAP (password followed by the TOTP code)', () => {
  const base = { user: active, passwordOk: true, codeWellFormed: true, totp: 'ok' };
  it('names the first check that failed', () => {
    expect(papReason(base)).toBe('ok');
    expect(papReason({ ...base, user: undefined, passwordOk: false })).toBe('unknown_user');
    expect(papReason({ ...base, passwordOk: false, totp: null })).toBe('wrong_password');
    expect(papReason({ ...base, user: disabled, totp: null })).toBe('account_disabled');
    expect(papReason({ ...base, codeWellFormed: false, totp: null })).toBe('totp_invalid');
    expect(papReason({ ...base, totp: 'invalid' })).toBe('totp_invalid');
    expect(papReason({ ...base, totp: 'replayed' })).toBe('totp_replayed');
    expect(papReason({ ...base, totp: 'not_enrolled' })).toBe('totp_not_enrolled');
  });
  it('a wrong password is reported as one even for a disabled account (the password was checked first)', () => {
    expect(papReason({ ...base, user: disabled, passwordOk: false, totp: null })).toBe('wrong_password');
  });
});

describe('RADIUS drops and EAP failures', () => {
  it('every drop reason of the server maps to a documented reason', () => {
    for (const drop of [...RADIUS_DROP_REASONS, ...RADIUS_SERVER_DROP_REASONS])
      expect(Object.keys(AUTH_EVENT_REASONS)).toContain(radiusDropReason(drop));
    expect(radiusDropReason('unknown_client')).toBe('unknown_nas');
    expect(radiusDropReason('bad_message_authenticator')).toBe('bad_message_authenticator');
    expect(radiusDropReason('bad_request_authenticator')).toBe('wrong_shared_secret');
    expect(radiusDropReason('too_short')).toBe('malformed_packet');
  });
  it('EAP-AKA server failures', () => {
    expect(eapAkaReason('repeated_sync_failure')).toBe('sync_failure');
    expect(eapAkaReason('bad_res')).toBe('sim_auth_failed');
    expect(eapAkaReason('rejected')).toBe('unknown_sim');
    expect(eapAkaReason('unknown_state')).toBe('eap_unknown_state');
    expect(eapAkaReason('malformed')).toBe('eap_protocol_error');
  });
});

describe('EAP method and identity', () => {
  // EAP-Response (code 2), identifier 1, length, type: RFC 3748 §4; AKA 23 (RFC 4187), AKA' 50 (RFC 5448).
  const response = (type: number, data = '') =>
    Buffer.concat([Buffer.from([2, 1, 0, 5 + data.length, type]), Buffer.from(data, 'latin1')]);
  it('reads the method from the response type, or from an identity’s leading digit (RFC 9048 §3)', () => {
    expect(eapMethodOf(response(23))).toBe('eap-aka');
    expect(eapMethodOf(response(50))).toBe("eap-aka'");
    expect(eapMethodOf(response(1, '0001010123456789@wlan.example'))).toBe('eap-aka');
    expect(eapMethodOf(response(1, '6001010123456789@wlan.example'))).toBe("eap-aka'");
    expect(eapMethodOf(response(3, '\x17'))).toBe('eap');
    expect(eapMethodOf(Buffer.from([1, 1, 0, 4]))).toBe('eap');
  });
  it('finds the IMSI of permanent identities only', () => {
    expect(imsiOfIdentity('0001010123456789@wlan.example')).toBe('001010123456789');
    expect(imsiOfIdentity('6001010123456789@wlan.example')).toBe('001010123456789');
    expect(imsiOfIdentity('2pseudonym@wlan.example')).toBeNull();
    expect(imsiOfIdentity('farah')).toBeNull();
    expect(imsiOfIdentity(undefined)).toBeNull();
  });
  it('masks IMSIs for institution viewers, keeping the network code and the last digits', () => {
    expect(maskImsi('001010123456789')).toBe('00101*******789');
    expect(maskIdentity('0001010123456789@wlan.example')).toBe('000101*******789@wlan.example');
    expect(maskIdentity('farah')).toBe('farah');
  });
});
