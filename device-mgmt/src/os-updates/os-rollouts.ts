/**
 * Port: the OS rollouts hardened-os runs. At every check-in device-mgmt asks which release the device should
 * move to now; when there is one and the device was not offered it for this rollout yet, an `update_os`
 * command is queued and delivered in the same reply. The server binds hardened-os's rollout engine; a node
 * without hardened-os binds nothing and there are no rollouts.
 */
export type OsUpdateTarget = {
  rolloutId: string;
  releaseId: string;
  buildId: string;
  version: string;
  fingerprint: string;
  securityPatchLevel: string;
};
export type OsRollouts = {
  /** The release this device should move to now, or null. Called on every check-in; implementations answer from memory. */
  targetFor(device: {
    id: string;
    institutionId: string | null;
    model: string | null;
    osBuild: string | null;
  }): Promise<OsUpdateTarget | null>;
};
export const OS_ROLLOUTS = Symbol.for('pakawaaz.device-mgmt.OsRollouts');
