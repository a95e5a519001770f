import { QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useSession } from '../auth/session';
import { createQueryClient } from './queryClient';

/**
 * The NOC's one query cache. It is dropped at sign-out (keyed by the session), so the next operator never
 * sees the previous one's cached rows.
 */
export function QueryProvider({ children }: { children: ReactNode }) {
  const { token } = useSession();
  return <SessionCache key={token === null ? 'signed-out' : 'signed-in'}>{children}</SessionCache>;
}

function SessionCache({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
