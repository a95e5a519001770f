import type { Schemas } from '../api/client';
import { formatDateTime } from '../format';
import { StatusPill } from './StatusPill';

type Open5gsSync = Schemas['Subscriber']['open5gs'];
export type SyncState = Open5gsSync['state'];

/**
 * Open5GS has the subscriber's current version (synced), not yet (pending), the last push failed (error), or
 * there is no live sync at all (export-only: documents reach Open5GS through `pakawaaz subscribers export`).
 */
export function syncState(sync: Open5gsSync): SyncState {
  return sync.state;
}

const TONE = { synced: 'good', pending: 'warn', error: 'bad', 'export-only': 'neutral' } as const;

function describe(sync: Open5gsSync): string {
  switch (sync.state) {
    case 'error':
      return `Last push to Open5GS failed: ${sync.error ?? ''}`;
    case 'synced':
      return sync.syncedAt ? `In Open5GS since ${formatDateTime(sync.syncedAt)}` : 'In Open5GS';
    case 'export-only':
      return 'No live sync (OPEN5GS_MONGODB_URL is not set): Open5GS gets this subscriber from the export';
    case 'pending':
      return 'Waiting to be pushed to Open5GS';
  }
}

export function SyncStatePill({ sync }: { sync: Open5gsSync }) {
  return <StatusPill value={sync.state} tone={TONE[sync.state]} label={describe(sync)} />;
}
