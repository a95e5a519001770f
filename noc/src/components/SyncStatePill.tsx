import type { Schemas } from '../api/client';
import { formatDateTime } from '../format';
import { StatusPill } from './StatusPill';

type Open5gsSync = Schemas['Subscriber']['open5gs'];
export type SyncState = 'synced' | 'pending' | 'error';

/** Open5GS has the subscriber's current version (synced), not yet (pending), or the last push failed (error). */
export function syncState(sync: Open5gsSync): SyncState {
  if (sync.error) return 'error';
  return sync.synced ? 'synced' : 'pending';
}

const TONE = { synced: 'good', pending: 'warn', error: 'bad' } as const;

export function SyncStatePill({ sync }: { sync: Open5gsSync }) {
  const state = syncState(sync);
  const title =
    state === 'error'
      ? `Last push to Open5GS failed: ${sync.error ?? ''}`
      : state === 'synced' && sync.syncedAt
        ? `In Open5GS since ${formatDateTime(sync.syncedAt)}`
        : 'Waiting to be pushed to Open5GS';
  return <StatusPill value={state} tone={TONE[state]} label={title} />;
}
