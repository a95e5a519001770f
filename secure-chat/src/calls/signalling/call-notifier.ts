import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRepository } from '../../delivery/delivery.repository.js';
import type { CallSignalFrame, CallSignalType } from '../../ws/frames.js';
import type { Party } from './call-state.js';

/** Where call signals go: the chat hub (its sockets here, the relay to other nodes, the check-in push). */
export type CallSignalSink = {
  signal(deviceIds: readonly string[], frame: CallSignalFrame, push?: boolean): void;
};
export const CALL_SIGNAL_SINK = Symbol.for('pakawaaz.secure-chat.CallSignalSink');

type CallFacts = { id: string; groupId: string; kind: 'voice' | 'video' };

/**
 * Sends call signals to devices, only ever to current member devices of the call's group: a device removed
 * from the group (revoked, wiped, its official disabled) since the call rang gets nothing.
 */
@Injectable()
export class CallNotifier {
  constructor(
    private readonly delivery: DeliveryRepository,
    @Inject(CALL_SIGNAL_SINK) private readonly sink: CallSignalSink,
  ) {}

  /** `to`: device ids (kept to members), or every member device of the group. */
  async send(
    call: CallFacts,
    type: CallSignalType,
    to: readonly string[] | 'members',
    by: Party | null,
    extra: { ringUntil?: string; reason?: string } = {},
  ): Promise<void> {
    const members = new Set((await this.delivery.members(call.groupId)).map((m) => m.deviceId));
    const ids = to === 'members' ? [...members] : to.filter((d) => members.has(d));
    if (ids.length === 0) return;
    const frame: CallSignalFrame = {
      type,
      callId: call.id,
      groupId: call.groupId,
      kind: call.kind,
      by: by && { deviceId: by.deviceId, userId: by.userId },
      ...extra,
    };
    this.sink.signal(ids, frame, type === 'call-ring');
  }

  /** The call is over (for any reason: everyone left, missed, declined, the media host went down …). */
  ended(call: CallFacts, reason: string): Promise<void> {
    return this.send(call, 'call-ended', 'members', null, { reason });
  }

  /** A device hung up (or was taken out): the others see it leave. */
  left(call: CallFacts, by: Party): Promise<void> {
    return this.send(call, 'call-left', 'members', by);
  }
}
