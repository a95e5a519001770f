import { api, unwrap } from '../../api/client';

// PHASE 1 ONLY: what the device-management routes are expected to return (BRIEF.md's HTTP contract, field
// names from the dm-enrol / dm-checkin branches where they exist). Replaced by `Schemas[…]` of the generated
// client once those routes are in openapi.json; then this file goes.

export type ComplianceState = 'compliant' | 'grace' | 'non_compliant';
export type DeviceState = 'active' | 'lost' | 'wiped' | 'retired';

export type OfficialRef = { id: string; username: string | null; displayName: string | null };

export type Device = {
  id: string;
  official: OfficialRef;
  institutionId: string | null;
  institutionName: string | null;
  imsi: string | null;
  imei: string | null;
  serial: string | null;
  brand: string | null;
  model: string | null;
  state: DeviceState;
  compliance: ComplianceState;
  complianceReasons: string[];
  lastCheckInAt: string | null;
  lastAttestedAt: string;
  enrolledAt: string;
};

export type DeviceList = { devices: Device[]; total: number; limit: number; offset: number };

export type DeviceCertificate = {
  serial: string;
  thumbprint: string;
  notBefore: string;
  notAfter: string;
  status: 'valid' | 'expired' | 'revoked';
  revokedAt: string | null;
  revocationReason: string | null;
};

export type DeviceDetail = Device & {
  attestation: Record<string, unknown>;
  lastReport: Record<string, unknown> | null;
  appliedPolicyVersion: number | null;
  certificates: DeviceCertificate[];
};

/** The attestation facts the NOC shows (the server keeps them whole as a JSON object). */
export type AttestationFactsView = {
  attestationSecurityLevel?: string;
  rootOfTrust?: { verifiedBootKey: string; deviceLocked: boolean; verifiedBootState: string } | null;
  osVersion?: number | null;
  osPatchLevel?: number | null;
  vendorPatchLevel?: number | null;
  bootPatchLevel?: number | null;
  attestedIds?: { imei?: string; serial?: string };
};

export type FleetSummary = {
  total: number;
  byCompliance: Record<ComplianceState, number>;
  byState: Record<DeviceState, number>;
  byPatchLevel: { patchLevel: string; count: number }[];
  byModel: { model: string; count: number }[];
};

export type CommandType =
  | 'lock'
  | 'wipe'
  | 'reboot'
  | 'install_app'
  | 'uninstall_app'
  | 'update_os'
  | 'rotate_certificate'
  | 'relinquish'
  | 'locate';
export type CommandState = 'queued' | 'delivered' | 'succeeded' | 'failed' | 'expired' | 'cancelled';

export type DeviceCommand = {
  id: string;
  deviceId: string;
  type: CommandType;
  params: Record<string, unknown>;
  idempotencyKey: string;
  state: CommandState;
  createdBy: { id: string; name: string };
  createdAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  result: { detail?: string } | null;
};

export type CreateDeviceCommand = {
  type: CommandType;
  params?: Record<string, unknown>;
  idempotencyKey?: string;
  expiresInMinutes?: number;
};

export type EnrolmentTokenState = 'pending' | 'used' | 'expired' | 'revoked';

export type EnrolmentToken = {
  id: string;
  state: EnrolmentTokenState;
  official: OfficialRef;
  institutionId: string | null;
  institutionName: string | null;
  imsi: string | null;
  expiresAt: string;
  usedAt: string | null;
  deviceId: string | null;
  createdAt: string;
};

export type CreatedEnrolmentToken = EnrolmentToken & {
  token: string;
  enrolUrl: string;
  /** The enrol URL as a QR code (SVG), made by the server like the TOTP enrolment's. */
  qrSvg?: string;
};

export type PolicySettings = {
  screenLock: { required: boolean; minLength: number; maxIdleSeconds: number };
  cameraAllowed: boolean;
  usbDataAllowed: boolean;
  screenshotsAllowed: boolean;
  developerOptionsAllowed: boolean;
  allowedApps?: string[];
  requiredApps: string[];
  updateWindow: { start: string; end: string };
  maxAttestationAgeHours: number;
  minimumPatchLevel: string | null;
  graceHours: number;
  checkInIntervalSeconds: number;
};

export type DevicePolicy = {
  scope: string;
  source: 'institution' | 'national' | 'default';
  version: number;
  settings: PolicySettings;
  updatedBy: string | null;
  updatedAt: string | null;
};

type Init = {
  params?: { path?: Record<string, string>; query?: Record<string, string | number> };
  body?: unknown;
  signal?: AbortSignal;
};
type Outcome = Promise<{ data?: unknown; error?: unknown; response: Response }>;
type LooseClient = Record<'GET' | 'POST' | 'PUT' | 'DELETE', (path: string, init?: Init) => Outcome>;

/** The generated client without path typing, for routes not yet in openapi.json. */
const loose = api as unknown as LooseClient;

export const deviceApi = {
  get: <T>(path: string, init?: Init) => unwrap(loose.GET(path, init)) as Promise<T>,
  post: <T>(path: string, init?: Init) => unwrap(loose.POST(path, init)) as Promise<T>,
  put: <T>(path: string, init?: Init) => unwrap(loose.PUT(path, init)) as Promise<T>,
  delete: <T>(path: string, init?: Init) => unwrap(loose.DELETE(path, init)) as Promise<T>,
};
