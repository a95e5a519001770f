import { useSyncExternalStore } from 'react';
import type { components } from '../api/schema';

export type OperatorProfile = components['schemas']['Profile'];

/** What a sign-in or a refresh hands out (the `authenticated` LoginStep). */
export type SessionTokens = { accessToken: string; refreshToken: string; expiresIn: number };

export type Session = {
  /** Bearer token; kept in sessionStorage only (dies with the tab), never localStorage. */
  token: string | null;
  operator: OperatorProfile | null;
  /** A one-off message for the login page, e.g. after the session expired. */
  notice: string | null;
};

/** Access token, refresh token and the access token's expiry (epoch ms, by this browser's clock). */
type Stored = { accessToken: string; refreshToken: string; expiresAt: number };

const STORAGE_KEY = 'pakawaaz.noc.session';

function isStored(value: unknown): value is Stored {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' && typeof v.refreshToken === 'string' && typeof v.expiresAt === 'number'
  );
}

function readStored(): Stored | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return isStored(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function writeStored(value: Stored | null): void {
  try {
    if (value) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the session then lives only in memory.
  }
}

const toStored = (tokens: SessionTokens): Stored => ({
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken,
  expiresAt: Date.now() + tokens.expiresIn * 1000,
});

let stored: Stored | null = readStored();
let state: Session = { token: stored?.accessToken ?? null, operator: null, notice: null };
const listeners = new Set<() => void>();

function set(next: Partial<Session>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session => state,
  token: (): string | null => state.token,
  refreshToken: (): string | null => stored?.refreshToken ?? null,
  /** When the access token expires (epoch ms), or null without a session. */
  expiresAt: (): number | null => stored?.expiresAt ?? null,
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(tokens: SessionTokens, operator: OperatorProfile): void {
    stored = toStored(tokens);
    writeStored(stored);
    set({ token: stored.accessToken, operator, notice: null });
  },
  /** A refresh rotated both tokens; the profile stays. */
  setTokens(tokens: SessionTokens): void {
    stored = toStored(tokens);
    writeStored(stored);
    set({ token: stored.accessToken });
  },
  setOperator(operator: OperatorProfile): void {
    set({ operator });
  },
  signOut(notice: string | null = null): void {
    stored = null;
    writeStored(null);
    set({ token: null, operator: null, notice });
  },
  clearNotice(): void {
    if (state.notice) set({ notice: null });
  },
};

export function useSession(): Session {
  return useSyncExternalStore(session.subscribe, session.get);
}
