import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import {
  eapAkaReason,
  eapMethodOf,
  imsiOfIdentity,
  radiusDropReason,
  type AuthEventReason,
} from '../auth-events/auth-event-reasons.js';
import { outerIdentityForLog } from '../auth-events/auth-event-text.js';
import { AuthEventsService } from '../auth-events/auth-events.service.js';
import type { RadiusDropEvent } from './radius-dispatch.js';
import type { AccessRequestContext } from './radius-handler.js';

type Account = { readonly id: string; readonly institutionId: string | null; readonly username: string };

/** What the SIM owner check learnt during one EAP conversation, carried from round to round by State. */
export type EapNote = { imsi?: string; owner?: Account; refusal?: AuthEventReason };

export type EapEnd =
  | { kind: 'challenge'; state: Buffer }
  | { kind: 'discard' }
  | { kind: 'failure'; reason: string }
  | { kind: 'success'; imsi: string; owner: Account }
  | { kind: 'unavailable' };

const NOTE_TTL_MS = 60_000;
const NOTES_MAX = 50_000;

/**
 * Turns RADIUS outcomes into sign-in events (the post-auth log): one event per final answer — accept,
 * reject, or a datagram dropped before any handler saw it — never per Access-Challenge. Only queues:
 * nothing here waits for the database.
 */
@Injectable()
export class RadiusAuthLog {
  private readonly current = new AsyncLocalStorage<EapNote>();
  private readonly notes = new Map<string, { note: EapNote; until: number }>();

  constructor(private readonly events: AuthEventsService) {}

  pap(
    req: AccessRequestContext,
    reason: AuthEventReason,
    user?: { id: string; institutionId: string | null } | null,
  ): void {
    this.events.record({
      channel: 'radius',
      result: reason === 'ok' ? 'accept' : 'reject',
      reason,
      method: 'pap',
      username: req.attributes.userName ?? null,
      user,
      client: req.client,
      source: sourceOf(req),
    });
  }

  /** Runs one EAP round with the note of its conversation (the previous round's State), for `noteOwner`. */
  async eapRound<T>(state: Buffer | undefined, run: () => Promise<T>): Promise<{ value: T; note: EapNote }> {
    const note = (state && this.takeNote(state.toString('base64url'))) || {};
    const value = await this.current.run(note, run);
    return { value, note };
  }

  /** Called from the SIM owner check inside `eapRound`: remembers the IMSI and why it was refused. */
  noteOwner(imsi: string, owner: Account | null, refusal: AuthEventReason | null): void {
    const note = this.current.getStore();
    if (!note) return;
    note.imsi = imsi;
    if (owner) note.owner = owner;
    if (refusal) note.refusal = refusal;
  }

  eap(req: AccessRequestContext, message: Buffer, end: EapEnd, note: EapNote): void {
    if (end.kind === 'challenge') {
      this.putNote(end.state.toString('base64url'), note);
      return;
    }
    const reason: AuthEventReason =
      end.kind === 'success'
        ? 'ok'
        : end.kind === 'discard'
          ? 'eap_discarded'
          : end.kind === 'unavailable'
            ? 'eap_not_available'
            : refusalFor(end.reason, note);
    const owner = end.kind === 'success' ? end.owner : note.owner;
    this.events.record({
      channel: 'radius',
      result: end.kind === 'success' ? 'accept' : end.kind === 'discard' ? 'drop' : 'reject',
      reason,
      method: eapMethodOf(message),
      // A pseudonym or re-auth identity stored next to the IMSI would undo what it is for: only its kind.
      username: outerIdentityForLog(req.attributes.userName),
      user: owner ?? null,
      imsi: (end.kind === 'success' ? end.imsi : note.imsi) ?? imsiOfIdentity(req.attributes.userName),
      client: req.client,
      source: sourceOf(req),
    });
  }

  drop(event: RadiusDropEvent, client: { id: string; name: string } | null, disabled: boolean): void {
    this.events.record({
      channel: 'radius',
      result: 'drop',
      reason: disabled && event.reason === 'unknown_client' ? 'nas_disabled' : radiusDropReason(event.reason),
      client,
      source: event.address,
    });
  }

  private takeNote(key: string): EapNote | undefined {
    const entry = this.notes.get(key);
    this.notes.delete(key);
    return entry && entry.until > Date.now() ? entry.note : undefined;
  }

  private putNote(key: string, note: EapNote): void {
    const now = Date.now();
    // Oldest first (insertion order): expired notes and, past the bound, the oldest live ones go.
    for (const [k, v] of this.notes) {
      if (v.until > now && this.notes.size < NOTES_MAX) break;
      this.notes.delete(k);
    }
    this.notes.set(key, { note, until: now + NOTE_TTL_MS });
  }
}

/**
 * A conversation whose IMSI the owner check refused never had a real vector: whatever the EAP server says
 * (a decoy challenge fails as a bad MAC), it failed for the reason the owner check gave.
 */
function refusalFor(reason: string, note: EapNote): AuthEventReason {
  return note.refusal ?? eapAkaReason(reason);
}

function sourceOf(req: AccessRequestContext): string {
  const station = req.attributes.callingStationId;
  return station ? `${req.source.address} ${station}` : req.source.address;
}
