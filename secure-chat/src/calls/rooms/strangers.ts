/**
 * Which of a call room's Janus participants to kick. Janus does not bind a feed id to the join token that
 * let it in: a member holding a token of its own may join under any id — the id of an official who left, or
 * of one who asked to join and has not connected yet — and its feed would be named after that official. So
 * a participant is kept only under an id the call's record has `joined`; every other one is a stranger.
 * `reclaim` is the id just handed to a device asking to (re)join: whoever holds it in Janus before that
 * device connects is not that device (an impostor, or its own stale session), so it goes too.
 */
export function strangers(
  present: readonly { id: number }[],
  records: readonly { participantId: number; state: string }[],
  reclaim?: number,
): number[] {
  const joined = new Set(records.filter((r) => r.state === 'joined').map((r) => r.participantId));
  const out = present.map((p) => p.id).filter((id) => id === reclaim || !joined.has(id));
  return [...new Set(out)];
}
