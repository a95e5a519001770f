/*
 * The push channel's wire contract as the handset speaks it (device-mgmt's push-topic.ts is the server's side;
 * its spec checks the two agree): one topic per device, a payload that says only "check in now", and the
 * agent's reconnect back-off. A handset is a separate program: it keeps its own copy of the protocol.
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

export type Backoff = { baseMs: number; capMs: number };

/**
 * Full-jitter exponential back-off: a delay drawn uniformly in [0, min(cap, base·2^attempt)), so a fleet that
 * lost the broker together does not come back together.
 */
export function fullJitterDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}
