import { StatusPill, type Tone } from '../../components/StatusPill';
import { formatDateTime, formatDuration } from '../../format';
import type { CommandState, CommandType, ComplianceState, DeviceState, OfficialRef } from './types';

export const COMPLIANCE: Record<ComplianceState, { label: string; tone: Tone }> = {
  compliant: { label: 'compliant', tone: 'good' },
  grace: { label: 'grace', tone: 'warn' },
  non_compliant: { label: 'non-compliant', tone: 'bad' },
};
export const COMPLIANCE_STATES = Object.keys(COMPLIANCE) as ComplianceState[];

export const DEVICE_STATE: Record<DeviceState, { label: string; tone: Tone }> = {
  active: { label: 'active', tone: 'good' },
  lost: { label: 'lost', tone: 'bad' },
  wiped: { label: 'wiped', tone: 'neutral' },
  retired: { label: 'retired', tone: 'neutral' },
};
export const DEVICE_STATES = Object.keys(DEVICE_STATE) as DeviceState[];

/** The compliance rules' stable reason codes, in an operator's words. */
export const REASON_TEXT: Record<string, string> = {
  DEVICE_LOST: 'reported lost',
  BOOT_KEY_COMPROMISED: 'booted with a verified-boot key marked compromised',
  BOOT_STATE: 'verified boot is not in a trusted state',
  ATTESTATION_STALE: 'the last attestation is older than the policy allows',
  PATCH_LEVEL: 'security patch level below the policy minimum',
  CHECK_IN_OVERDUE: 'has not checked in for too long',
  POLICY_NOT_APPLIED: 'has not applied the current policy',
  REQUIRED_APP_MISSING: 'a required app is missing',
  FORBIDDEN_APP: 'an app outside the allowed list is installed',
  DEVELOPER_OPTIONS: 'developer options are enabled',
  SCREEN_LOCK: 'no secure screen lock',
};

export const reasonText = (code: string): string => REASON_TEXT[code] ?? code;

export function CompliancePill({ state, reasons }: { state: ComplianceState; reasons: readonly string[] }) {
  const c = COMPLIANCE[state] ?? { label: state, tone: 'neutral' };
  const title = reasons.length ? reasons.map(reasonText).join('; ') : undefined;
  return (
    <>
      <StatusPill value={c.label} tone={c.tone} label={title} />
      {reasons.length > 0 ? (
        <span className="muted small" title={title}>
          {' '}
          {reasons.length} {reasons.length === 1 ? 'reason' : 'reasons'}
        </span>
      ) : null}
    </>
  );
}

export function DeviceStatePill({ state }: { state: DeviceState }) {
  const s = DEVICE_STATE[state] ?? { label: state, tone: 'neutral' };
  return <StatusPill value={s.label} tone={s.tone} />;
}

export const COMMAND_TEXT: Record<CommandType, string> = {
  lock: 'Lock the screen',
  reboot: 'Reboot',
  locate: 'Locate (lost mode)',
  rotate_certificate: 'Rotate the device certificate',
  reattest: 'Re-attest the device key',
  update_os: 'Update the OS',
  install_app: 'Install an app',
  uninstall_app: 'Uninstall an app',
  relinquish: 'Relinquish (release from management)',
  wipe: 'Wipe (factory reset)',
};

export const COMMAND_STATE_TONE: Record<CommandState, Tone> = {
  queued: 'neutral',
  delivered: 'warn',
  succeeded: 'good',
  failed: 'bad',
  expired: 'neutral',
  cancelled: 'neutral',
};

/** The official by name and username; never a bare id unless identity no longer knows the account. */
export function OfficialLabel({ official }: { official: OfficialRef }) {
  if (!official.displayName && !official.username) return <span className="muted">unknown account</span>;
  return (
    <>
      {official.displayName ?? official.username}
      {official.displayName && official.username ? (
        <>
          {' '}
          <span className="muted">{official.username}</span>
        </>
      ) : null}
    </>
  );
}

export function InstitutionLabel({ id, name }: { id: string | null; name: string | null }) {
  if (name) return <>{name}</>;
  return <span className="muted">{id ? 'unknown institution' : 'national'}</span>;
}

/** `5m ago`, `3h 2m ago`; the exact local time as a tooltip. */
export function Ago({ at, now = Date.now() }: { at: string | null; now?: number }) {
  if (!at) return <span className="muted">never</span>;
  const seconds = (now - new Date(at).getTime()) / 1000;
  const text =
    seconds < 0
      ? `in ${formatDuration(-seconds)}`
      : seconds < 60
        ? 'just now'
        : `${formatDuration(seconds).replace(/ \d+s$/, '')} ago`;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {text}
    </time>
  );
}

/** YYYYMM or YYYYMMDD as encoded in a KeyDescription → `2026-03` / `2026-03-05`. */
export function patchText(value: number | null | undefined): string {
  if (value === null || value === undefined || value === 0) return '—';
  const s = String(value);
  if (s.length === 6) return `${s.slice(0, 4)}-${s.slice(4)}`;
  if (s.length === 8) return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
  return s;
}

/** 130000 → `13.0.0` (osVersion is MMmmpp). */
export function osVersionText(value: number | null | undefined): string {
  if (!value) return '—';
  return `${Math.floor(value / 10000)}.${Math.floor((value % 10000) / 100)}.${value % 100}`;
}
