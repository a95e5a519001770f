/**
 * Seams between device-mgmt's own features, so that each can be built and tested alone: the device CA
 * (enrolment) revokes certificates, push wakes a handset. Bound in DeviceMgmtModule.
 */

/** Revokes every live certificate of a device (wipe, loss, retirement); it then appears on the CRL. */
export type DeviceCertificates = {
  revokeForDevice(deviceId: string, reason: 'wiped' | 'lost' | 'retired' | 'superseded'): Promise<number>;
};
export const DEVICE_CERTIFICATES = Symbol.for('pakawaaz.device-mgmt.DeviceCertificates');

/** Wakes a handset: the push says only "check in now" (never a command or data). Best effort. */
export type DevicePush = { notify(deviceIds: readonly string[]): Promise<void> };
export const DEVICE_PUSH = Symbol.for('pakawaaz.device-mgmt.DevicePush');

/**
 * Where a process that must not run its own embedded MQTT broker sends its pushes: the host's lead process,
 * which runs the one broker the handsets connect to (PAKAWAAZ_PROCESSES > 1). Bound by the composition root.
 */
export type PushRelay = { forward(deviceIds: readonly string[]): void };
export const PUSH_RELAY = Symbol.for('pakawaaz.device-mgmt.PushRelay');
