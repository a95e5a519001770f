/**
 * A loopback TCP port free at the time of asking, for a listener whose setting has no "any free port" value
 * (e.g. PAKAWAAZ_DEVICE_PORT, where 0 turns the device port off): drawn below the ephemeral range, where no
 * outgoing connection takes it between the probe and the bind (platform's loopback-port.ts).
 */
export { freeTcpPort } from '@pakawaaz/platform';
