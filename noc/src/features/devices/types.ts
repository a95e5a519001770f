import type { Schemas } from '../../api/client';

// The device-management API's shapes, as the generated client names them.

export type Device = Schemas['DeviceSummary'];
export type DeviceList = Schemas['DevicePage'];
export type DeviceDetail = Schemas['DeviceDetail'];
export type DeviceCertificate = DeviceDetail['certificates'][number];
export type ComplianceState = Device['compliance'];
export type DeviceState = Device['state'];
export type OfficialRef = Device['official'];
export type FleetSummary = Schemas['FleetSummary'];
export type FleetOs = Schemas['FleetOs'];

export type DeviceCommand = Schemas['DeviceCommand'];
export type CommandType = DeviceCommand['type'];
export type CommandState = DeviceCommand['state'];
export type CreateDeviceCommand = Schemas['CreateDeviceCommandRequest'];

export type EnrolmentToken = Schemas['EnrolmentToken'];
export type CreatedEnrolmentToken = Schemas['CreatedEnrolmentToken'];

export type DevicePolicy = Schemas['DevicePolicy'];
export type DeviceGroup = Schemas['DeviceGroup'];
export type DeviceGroupDetail = Schemas['DeviceGroupDetail'];
export type PolicySettings = Schemas['DevicePolicySettings'];

/**
 * The attestation facts the NOC shows. The server keeps the verifier's facts whole as a JSON object
 * (`DeviceDetail.attestation`); these are the fields of it the detail page reads.
 */
export type AttestationFactsView = {
  attestationSecurityLevel?: string;
  rootOfTrust?: { verifiedBootKey: string; deviceLocked: boolean; verifiedBootState: string } | null;
  osVersion?: number | null;
  osPatchLevel?: number | null;
  vendorPatchLevel?: number | null;
  bootPatchLevel?: number | null;
  attestedIds?: { imei?: string; serial?: string };
};
