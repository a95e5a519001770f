/*
 * The push channel's wire contract as the handset speaks it (device-mgmt's push-topic.ts is the server's side;
 * its spec checks the two agree): one topic per device and a payload that says only "check in now". A handset is
 * a separate program: it keeps its own copy of the protocol (its reconnect back-off: @pakawaaz/mqtt-reconnect).
 */

export const pushTopic = (deviceId: string): string => `pakawaaz/devices/${deviceId}/push`;

/** Exactly the check-in payload (`{"v":1,"type":"check-in"}`); anything else is ignored, never obeyed. */
export function isCheckInPush(payload: Uint8Array): boolean {
  try {
    const p = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    return typeof p === 'object' && p !== null && 'type' in p && p.type === 'check-in';
  } catch {
    return false;
  }
}
