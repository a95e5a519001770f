import * as handset from '@pakawaaz/handset-simulator';
import { describe, expect, it } from 'vitest';
import { brokerPolicy, isCheckInPush, isDeviceId, PUSH_PAYLOAD, pushTopic } from './push-topic.js';

const A = '0b3f0e4e-8c1e-4a58-9d6b-1f2e3d4c5b6a';
const B = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

describe('push wire contract', () => {
  it('names one topic per device and says only "check in"', () => {
    expect(pushTopic(A)).toBe(`pakawaaz/devices/${A}/push`);
    expect(JSON.parse(PUSH_PAYLOAD.toString())).toEqual({ v: 1, type: 'check-in' });
    expect(isCheckInPush(PUSH_PAYLOAD)).toBe(true);
    expect(isCheckInPush(Buffer.from('{"type":"wipe"}'))).toBe(false);
    expect(isCheckInPush(Buffer.from('not json'))).toBe(false);
  });

  it('accepts only uuids as device ids (no MQTT wildcards or levels)', () => {
    expect(isDeviceId(A)).toBe(true);
    for (const bad of ['#', '+', `${A}/x`, 'handset-0001', '']) expect(isDeviceId(bad)).toBe(false);
  });

  it('lets a device connect as itself, read its own topic only, and never publish', () => {
    expect(brokerPolicy.mayConnect(A, A)).toBe(true);
    expect(brokerPolicy.mayConnect(A, B)).toBe(false);
    expect(brokerPolicy.maySubscribe(A, pushTopic(A))).toBe(true);
    for (const t of [pushTopic(B), 'pakawaaz/devices/+/push', '#', `pakawaaz/devices/${A}/#`])
      expect(brokerPolicy.maySubscribe(A, t)).toBe(false);
    expect(brokerPolicy.mayPublish()).toBe(false);
  });
});

describe("the handset's copy of the contract (simulators/handset keeps its own, as an agent would)", () => {
  it('names the same topic and accepts the same payloads', () => {
    expect(handset.pushTopic(A)).toBe(pushTopic(A));
    for (const p of [
      PUSH_PAYLOAD,
      Buffer.from('{"type":"wipe"}'),
      Buffer.from('{"v":2,"type":"check-in"}'),
      Buffer.from('x'),
    ])
      expect(handset.isCheckInPush(p)).toBe(isCheckInPush(p));
  });
});
