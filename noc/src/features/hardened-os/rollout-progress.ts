import type { Schemas } from '../../api/client';

export type OsRollout = Schemas['OsRollout'];
type Counts = { offered: number; updated: number; failed: number; pending: number };

/** "12 updated · 1 failed · 3 pending" (or "none offered yet"). */
export function progressText(c: Counts): string {
  if (c.offered === 0) return 'none offered yet';
  return `${c.updated} updated · ${c.failed} failed · ${c.pending} pending`;
}

/** The failed share of the devices that took the update, as the automatic halt weighs it (null: none yet). */
export function failureRate(c: Counts): number | null {
  const took = c.updated + c.failed;
  return took === 0 ? null : c.failed / took;
}

/** Where the rollout stands, in a few words: "stage 3 of 7: early 50%", "halted", "starts …". */
export function whereText(r: OsRollout): string {
  if (r.state === 'completed') return `all ${r.stages.length} stages done`;
  const s = r.stages[r.currentStage];
  const at = s ? `stage ${r.currentStage + 1} of ${r.stages.length}: ${s.ring} ${s.percent}%` : '';
  if (r.state === 'scheduled') return `starts ${new Date(r.startAt).toLocaleString()}`;
  return r.state === 'running' ? at : `${r.state} at ${at}`;
}

/**
 * Which actions an os-admin has on it: a halted or completed rollout is final; only a running one advances
 * (over its failure threshold the server refuses unless forced, and the NOC then offers the override).
 */
export function actionsFor(r: OsRollout): {
  pause: boolean;
  resume: boolean;
  advance: boolean;
  halt: boolean;
} {
  return {
    pause: r.state === 'running' || r.state === 'scheduled',
    advance: r.state === 'running',
    resume: r.state === 'paused',
    halt: r.state === 'running' || r.state === 'scheduled' || r.state === 'paused',
  };
}
