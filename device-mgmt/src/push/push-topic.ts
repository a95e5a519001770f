/**
 * The push channel's wire contract, shared by the broker, the publisher and the handset (lab): one topic per
 * device, and a payload that says only "check in now" — never a command or data, so nothing the broker (or a
 * third-party broker operator) sees is worth reading. The handset learns what to do from its check-in.
 */
export const PUSH_TOPIC_FILTER = 'pakawaaz/devices/+/push';

/** Device ids are the devices table's uuids; anything else could smuggle MQTT wildcards or levels into a topic. */
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isDeviceId = (id: string): boolean => DEVICE_ID.test(id);

export const pushTopic = (deviceId: string): string => `pakawaaz/devices/${deviceId}/push`;

/** Version 1: `{"v":1,"type":"check-in"}`. QoS 1, never retained. */
export const PUSH_PAYLOAD: Readonly<Buffer> = Buffer.from(JSON.stringify({ v: 1, type: 'check-in' }));

/** What a handset accepts as a push: exactly the check-in payload (anything else is ignored, not obeyed). */
export function isCheckInPush(payload: Uint8Array): boolean {
  try {
    const p = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    return typeof p === 'object' && p !== null && 'type' in p && p.type === 'check-in';
  } catch {
    return false;
  }
}

/**
 * The embedded broker's access rules, for a client authenticated as `deviceId` by its certificate: its MQTT
 * client id must be its device id (so no session can take over another device's), it may subscribe to its
 * own push topic only, and it never publishes.
 */
export const brokerPolicy = {
  mayConnect: (deviceId: string, clientId: string): boolean => clientId === deviceId,
  maySubscribe: (deviceId: string, topic: string): boolean => topic === pushTopic(deviceId),
  mayPublish: (): boolean => false,
} as const;
