import { useSyncExternalStore } from 'react';
import type { components } from '../api/schema';

export type OperatorProfile = components['schemas']['Profile'];

export type Session = {
  /** Bearer token; kept in sessionStorage only (dies with the tab), never localStorage. */
  token: string | null;
  operator: OperatorProfile | null;
  /** A one-off message for the login page, e.g. after the session expired. */
  notice: string | null;
};

const TOKEN_KEY = 'pakawaaz.noc.accessToken';

function readToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the session then lives only in memory.
  }
}

let state: Session = { token: readToken(), operator: null, notice: null };
const listeners = new Set<() => void>();

function set(next: Partial<Session>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session => state,
  token: (): string | null => state.token,
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(token: string, operator: OperatorProfile): void {
    writeToken(token);
    set({ token, operator, notice: null });
  },
  setOperator(operator: OperatorProfile): void {
    set({ operator });
  },
  signOut(notice: string | null = null): void {
    writeToken(null);
    set({ token: null, operator: null, notice });
  },
  clearNotice(): void {
    if (state.notice) set({ notice: null });
  },
};

export function useSession(): Session {
  return useSyncExternalStore(session.subscribe, session.get);
}
