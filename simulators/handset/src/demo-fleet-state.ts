import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import type { DemoHandsetPlan } from './demo-plan.js';
import type { SavedHandset } from './handset.js';

/** What a demo handset trusts the store by: the keys the fleet pinned on first use, and its institution. */
export type DemoStorePins = {
  /** The catalogue key's public JWK (GET /api/v1/store/catalogue/key). */
  catalogueKey: Record<string, unknown>;
  /** The transparency log's C2SP verifier key, `name+keyid+base64` (GET /api/v1/store/log/key). */
  logKey: string;
  /** The institution of the handset's device record: the one whose catalogue it accepts. */
  institution: string;
};
export type StoreKeys = Omit<DemoStorePins, 'institution'>;

/** The demo fleet's state file (0600: it holds the handsets' keys). */
export type DemoFleetState = {
  version: 1;
  /** Absent in state files written before the demo handsets installed through the store. */
  store?: StoreKeys;
  handsets: { plan: DemoHandsetPlan; saved: SavedHandset; institution?: string }[];
};

/** The state file, or null before the fleet's first start. */
export async function readFleetState(file: string): Promise<DemoFleetState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return JSON.parse(text) as DemoFleetState;
}

/** Replaces the state file at once (a crash leaves the old or the new one, never half of one). */
export async function writeFleetState(file: string, state: DemoFleetState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/**
 * Whether the fleet needs a set-up token on this start: on its first (no state file), and once more when the
 * state file predates the store's pins (the log key and the device records are read with it).
 */
export async function demoFleetNeedsToken(stateFile: string): Promise<boolean> {
  const state = await readFleetState(stateFile);
  return !state?.store || state.handsets.some((h) => !h.institution);
}
