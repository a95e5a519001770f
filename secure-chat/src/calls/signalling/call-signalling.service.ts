import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Db, type DevicePrincipal, type Logger } from '@pakawaaz/platform';
import type { CallSignalling } from '../../chat-ports.js';
import { DeliveryRepository } from '../../delivery/delivery.repository.js';
import { ChatFlood } from '../../ws/chat-flood.js';
import type { CallClientFrame, CallSignalFrame } from '../../ws/frames.js';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { callsError } from '../calls.errors.js';
import { CallRoomsService } from '../rooms/call-rooms.service.js';
import { CallsRepository, type CallRow } from '../rooms/calls.repository.js';
import { CallsService } from '../rooms/calls.service.js';
import { CallNotifier } from './call-notifier.js';
import { CallRingsRepository } from './call-rings.repository.js';
import {
  apply,
  invite,
  type CallKind,
  type Party,
  type RingEvent,
  type RingState,
  type Step,
} from './call-state.js';

/** Officials' institutions, for the operators' scope of call records (identity's directory). */
export type CallDirectory = { institutionOf(userId: string): Promise<string | null> };
export const CALL_DIRECTORY = Symbol.for('pakawaaz.secure-chat.CallDirectory');

const party = (d: DevicePrincipal): Party => ({ deviceId: d.deviceId, userId: d.userId });
const notRinging = (why: string) => callsError('call_not_ringing', why);
/** How often each node looks for rings past their time (the per-call timer's backstop, e.g. after a restart). */
const SWEEP_MS = 5_000;

/**
 * Call signalling over the chat socket: the starter invites (the group's other officials' devices ring, its
 * own other devices show the call), callees accept (and join), decline or answer busy, the caller cancels,
 * anyone hangs up; rings time out as missed. The state machine is call-state.ts; this loads it under the
 * call's row lock, stores each step and sends its signals to member devices only.
 */
@Injectable()
export class CallSignallingService implements CallSignalling, OnModuleInit, OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: CallsRepository,
    private readonly rings: CallRingsRepository,
    private readonly delivery: DeliveryRepository,
    private readonly calls: CallsService,
    private readonly rooms: CallRoomsService,
    private readonly notifier: CallNotifier,
    @Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'ringMs'>,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(CALL_DIRECTORY) private readonly directory?: CallDirectory | null,
    // The calls module's flood limiter (its claims bucket, as the calls routes): each frame costs Janus and
    // database work. Absent in narrow tests.
    @Optional() private readonly flood?: ChatFlood | null,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.expireDue(), Math.min(SWEEP_MS, this.config.ringMs));
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  async frame(device: DevicePrincipal, frame: CallClientFrame): Promise<unknown> {
    this.flood?.require('claims', device.deviceId);
    switch (frame.type) {
      case 'call-invite':
        return await this.invite(device, frame.callId, frame.kind);
      case 'call-accept':
        return await this.accept(device, frame.callId);
      case 'call-hangup':
        return await this.hangup(device, frame.callId);
      case 'call-decline':
        return await this.act(device, frame.callId, { type: 'decline', device: party(device) });
      case 'call-busy':
        return await this.act(device, frame.callId, { type: 'busy', device: party(device) });
      case 'call-cancel':
        return await this.act(device, frame.callId, { type: 'cancel', device: party(device) });
    }
  }

  /** The starter rings the group: reply `{callId, outcome, ringUntil}` (outcome `busy`: nobody could ring). */
  async invite(device: DevicePrincipal, callId: string, kind: CallKind) {
    const call = await this.calls.visibleCall(device, callId);
    if (call.startedByDevice !== device.deviceId)
      throw callsError('not_call_starter', 'Only the device that started the call rings the group.');
    const members = await this.delivery.members(call.groupId);
    const callees = members.filter((m) => m.userId !== device.userId);
    if (callees.length === 0) throw notRinging('Nobody else is in this group to ring.');
    const inCall = await this.rings.inOtherCalls(
      callees.map((c) => c.deviceId),
      callId,
    );
    const institutions = await this.institutionsOf(call, callees);
    const ringUntil = new Date(Date.now() + this.config.ringMs);
    const step = await this.repo.db.transaction(async (tx) => {
      const locked = await this.repo.lockCall(callId, tx);
      if (locked?.state !== 'live') throw callsError('call_ended', 'The call has ended.');
      if (locked.ringUntil) throw notRinging('This call has rung already.');
      const step = invite(party(device), members, inCall);
      await this.rings.startRinging(
        callId,
        { kind, ringUntil, institutions, outcome: step.state.outcome },
        step.state.invitees,
        tx,
      );
      return step;
    });
    const rung = { ...call, kind, ringUntil };
    await this.after(rung, step);
    if (!step.end) this.arm(callId, this.config.ringMs);
    return { callId, outcome: step.state.outcome, ringUntil: ringUntil.toISOString() };
  }

  /**
   * A callee (or any member device) joins: the reply is the join's; a ringing device's answer is recorded
   * first. A device whose ring is over (declined, cancelled, missed) gets no join unless the call was
   * answered: then it joins as any member may (REST `join`).
   */
  async accept(device: DevicePrincipal, callId: string) {
    await this.calls.visibleCall(device, callId);
    let rangOut = false;
    const step = await this.transition(callId, async (s, call, tx) => {
      // Past its ring time unanswered, the call is missed — whatever the timer has not run yet.
      if (s.outcome === null && call.ringUntil && call.ringUntil.getTime() <= Date.now()) {
        rangOut = true;
        return apply(s, { type: 'timeout' });
      }
      // A device the call never rang answers it only if it may join it (checked under the call's lock).
      if (!s.invitees.some((i) => i.deviceId === device.deviceId) && device.userId !== s.caller.userId)
        await this.calls.admit(device, call, tx);
      return apply(s, { type: 'accept', device: party(device) });
    });
    if (rangOut || (step?.refused === 'not_ringing' && step.state.outcome !== 'answered'))
      throw notRinging('This call no longer rings this device (declined, cancelled or over).');
    return this.calls.join(device, callId);
  }

  /** Leaves the call; the caller's hang-up before an answer cancels it, a ringing callee's declines it. */
  async hangup(device: DevicePrincipal, callId: string) {
    const call = await this.calls.visibleCall(device, callId);
    if (call.state === 'live' && call.ringUntil && call.outcome === null) {
      const event: RingEvent =
        device.userId === call.startedByUser
          ? { type: 'cancel', device: party(device) }
          : { type: 'decline', device: party(device) };
      await this.transition(callId, (s) => apply(s, event));
    }
    return this.calls.leave(device, callId);
  }

  /** Decline, busy or cancel: refused (409 call_not_ringing) when the call does not ring the device. */
  async act(device: DevicePrincipal, callId: string, event: RingEvent) {
    await this.calls.visibleCall(device, callId);
    const step = await this.transition(callId, (s) => apply(s, event));
    if (!step || step.refused === 'not_ringing' || step.refused === 'not_callee')
      throw notRinging('This call does not ring this device (answered, over, or not rung).');
    if (step.refused === 'not_caller')
      throw callsError('not_call_starter', "Only the caller's devices cancel the call.");
    return { callId, outcome: step.state.outcome };
  }

  /** The rings pending for a device that connects (it may have been pushed "check in" for them). */
  async ringing(device: DevicePrincipal): Promise<CallSignalFrame[]> {
    const ringing = await this.rings.ringingFor(device.deviceId, new Date());
    // Only calls of groups the device is still in: one removed during the ring window is not rung.
    const calls: CallRow[] = [];
    for (const c of ringing)
      if ((await this.delivery.members(c.groupId)).some((m) => m.deviceId === device.deviceId)) calls.push(c);
    return calls.map((c) => ({
      type: 'call-ring',
      callId: c.id,
      groupId: c.groupId,
      kind: c.kind,
      by: { deviceId: c.startedByDevice, userId: c.startedByUser },
      ringUntil: c.ringUntil!.toISOString(),
    }));
  }

  /** The ring time of this call is over (the timer's or the sweep's; idempotent). */
  async expire(callId: string): Promise<void> {
    this.timers.delete(callId);
    await this.transition(callId, (s, call) =>
      call.ringUntil && call.ringUntil.getTime() <= Date.now() ? apply(s, { type: 'timeout' }) : null,
    );
  }

  private async expireDue(): Promise<void> {
    try {
      for (const id of await this.rings.expiredRings(new Date())) await this.expire(id);
    } catch (err) {
      this.logger.warn({ err }, 'call rings: the sweep failed');
    }
  }

  private arm(callId: string, ms: number): void {
    const timer = setTimeout(() => {
      this.expire(callId).catch((err: unknown) => this.logger.warn({ err, callId }, 'ring timeout failed'));
    }, ms + 50);
    timer.unref();
    this.timers.set(callId, timer);
  }

  /**
   * One step under the call's row lock (a call not live or never rung: none). The step's signals go out after
   * the commit; a step that ends the call ends it (its outcome is the end reason).
   */
  private async transition(
    callId: string,
    step: (state: RingState, call: CallRow, tx: Db) => Step | null | Promise<Step | null>,
  ): Promise<Step | null> {
    const members = await this.delivery.members((await this.repo.call(callId))?.groupId ?? '');
    const done = await this.repo.db.transaction(async (tx) => {
      const call = await this.repo.lockCall(callId, tx);
      if (call?.state !== 'live' || !call.ringUntil) return null;
      const invitees = await this.rings.invitees(callId, tx);
      const caller = { deviceId: call.startedByDevice, userId: call.startedByUser };
      const observers = members.filter((m) => m.userId === caller.userId && m.deviceId !== caller.deviceId);
      const next = await step({ caller, observers, invitees, outcome: call.outcome }, call, tx);
      if (!next || next.refused) return next && { call, next };
      await this.rings.record(callId, invitees, next.state.invitees, next.state.outcome, tx);
      return { call, next };
    });
    if (!done) return null;
    if (!done.next.refused) await this.after(done.call, done.next);
    return done.next;
  }

  private async after(call: CallRow, step: Step): Promise<void> {
    const ringUntil = call.ringUntil?.toISOString();
    for (const s of step.signals)
      await this.notifier.send(
        call,
        s.type,
        s.to,
        s.by,
        s.type === 'call-ring' && ringUntil ? { ringUntil } : {},
      );
    if (step.end && step.state.outcome) {
      clearTimeout(this.timers.get(call.id));
      this.timers.delete(call.id);
      await this.rooms.finish(call, step.state.outcome);
    }
  }

  private async institutionsOf(call: CallRow, callees: readonly Party[]): Promise<string[]> {
    const found = new Set(call.institutions);
    for (const user of new Set(callees.map((c) => c.userId))) {
      const inst = await this.directory?.institutionOf(user).catch(() => null);
      if (inst) found.add(inst);
    }
    return [...found];
  }
}
