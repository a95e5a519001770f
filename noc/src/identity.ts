import type { Schemas } from './api/client';
import type { OperatorProfile } from './auth/session';

export type Role = NonNullable<Schemas['CreateUser']['roles']>[number];
export type User = Schemas['User'];
export type Institution = Schemas['Institution'];
export type LiveSession = Schemas['Session'];

/** The NOC roles, in the order the forms list them, with what each one lets an operator do. */
export const ROLES: readonly { role: Role; description: string }[] = [
  { role: 'viewer', description: 'read-only access (inside an institution: its own rows only)' },
  { role: 'sim-operator', description: 'SIM inventory and subscribers' },
  { role: 'network-admin', description: 'network spec, Open5GS sync and alarms' },
  { role: 'security-officer', description: 'officials, password resets, lock-outs and sessions' },
  { role: 'device-admin', description: 'handsets, policies and device commands' },
  { role: 'os-admin', description: 'device models, verified-boot keys, OS releases and OTA payloads' },
  { role: 'app-reviewer', description: 'app store reviews and catalogues' },
  { role: 'developer', description: 'publish APKs of the developer organisations one belongs to' },
  { role: 'chat-admin', description: "secure chat: the institution's attachments and quota" },
  { role: 'media-admin', description: 'calls: media hosts (Janus) and TURN' },
  { role: 'billing', description: 'usage and fees' },
  { role: 'super-admin', description: 'everything, including operators and their roles' },
];

/**
 * Roles that make sense inside one institution; every other role acts on national infrastructure and is
 * refused (422 role_scope) for an operator placed in an institution. Mirrors the scope each domain registers
 * with the kernel (openapi.json's `x-pakawaaz-registry`; a unit test keeps the two equal).
 */
export const INSTITUTION_SCOPED_ROLES: readonly Role[] = [
  'viewer',
  'device-admin',
  'app-reviewer',
  'developer',
  'chat-admin',
  'billing',
];

/**
 * An operator of an institution sees that institution's rows only, and the server refuses it every national
 * page (403 national_only): the NOC leaves those out of its menu and starts on Users instead of System.
 */
export const isInstitutionOperator = (operator: OperatorProfile | null): boolean =>
  operator?.scope.kind === 'institution';

/** The device pages join the menu (and a device-admin's start) once this server's API has them. */
export const DEVICES_OPERATION = 'GET /api/v1/devices';

/** The app store's pages join the menu once this server's API has the store. */
export const STORE_OPERATION = 'GET /api/v1/store/apps';

/** Roles that use the app store pages: reviewers decide and manage organisations, developers see their apps. */
export const STORE_ROLES: readonly Role[] = ['app-reviewer', 'developer'];

/**
 * Where a sign-in lands: My account while the MFA policy waits for a second factor (nothing else works); the
 * Devices page for an operator who holds device-admin and no other role (Users and System would refuse it),
 * when this server has them (`devices`); the store's Apps page for an operator who holds only store roles
 * (app-reviewer, developer), when this server has the store (`store`).
 */
export const homeFor = (operator: OperatorProfile | null, devices = false, store = false): string =>
  operator?.mfaEnrolmentRequired
    ? '/account'
    : devices && operator?.roles.length && operator.roles.every((r) => r === 'device-admin')
      ? '/devices'
      : store &&
          operator?.roles.length &&
          operator.roles.every((r) => (STORE_ROLES as readonly string[]).includes(r))
        ? '/store/apps'
        : isInstitutionOperator(operator)
          ? '/users'
          : '/system';

/** The caller may act as `role` (super-admin passes every role check, as on the server). */
export function hasRole(operator: OperatorProfile | null, role: Role): boolean {
  return operator !== null && (operator.roles.includes(role) || operator.roles.includes('super-admin'));
}

/** The caller holds one of `roles` (or super-admin); an empty list: any signed-in operator. */
export const hasAnyRole = (operator: OperatorProfile | null, roles: readonly Role[]): boolean =>
  roles.length === 0 ? operator !== null : roles.some((role) => hasRole(operator, role));

/** Roles that read the device pages (handsets, enrolment tokens, policies); device-admin also acts. */
export const DEVICE_ROLES: readonly Role[] = ['device-admin', 'viewer'];

/** RFC 8176 authentication methods as an operator reads them. */
const AMR_LABELS: Record<string, string> = {
  pwd: 'password',
  otp: 'one-time code',
  hwk: 'passkey or hardware key',
  swk: 'software key',
  sim: 'SIM',
  pop: 'proof of possession',
  mfa: 'multi-factor',
};

/** `password + one-time code`; `mfa` is implied by two factors, so it is not listed as one. */
export function describeAmr(amr: readonly string[]): string {
  const methods = amr.filter((m) => m !== 'mfa');
  return methods.length ? methods.map((m) => AMR_LABELS[m] ?? m).join(' + ') : '—';
}

/** NIST SP 800-63B assurance level of a session. */
export function acrTone(acr: string | null): 'good' | 'warn' | 'neutral' {
  if (acr === 'aal2' || acr === 'aal3') return 'good';
  return acr === 'aal1' ? 'warn' : 'neutral';
}

/** `Chrome 131 on Linux` from a user-agent string; the full string stays available as a tooltip. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return '—';
  const browser =
    /\b(Edg|Firefox|OPR|HeadlessChrome|Chromium|Chrome|Version)\/(\d+)/.exec(ua) ??
    /\b(curl|node|undici|okhttp|Dalvik)\/?(\d*)/i.exec(ua);
  const names: Record<string, string> = { Edg: 'Edge', OPR: 'Opera', Version: 'Safari' };
  const os = /\b(Android|Windows|Mac OS X|iPhone|iPad|Linux|CrOS)\b/.exec(ua)?.[1];
  if (!browser) return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
  const name = `${names[browser[1] ?? ''] ?? browser[1]}${browser[2] ? ` ${browser[2]}` : ''}`;
  return os ? `${name} on ${os === 'Mac OS X' ? 'macOS' : os}` : name;
}

/** Institution names by id, for tables that only carry the id. */
export function institutionNames(list: readonly Institution[]): Map<string, string> {
  return new Map(list.map((i) => [i.id, i.name]));
}

/** `ABCD EFGH …`: a base32 secret in groups of four, easier to type into an authenticator by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
