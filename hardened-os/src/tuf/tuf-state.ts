import { TufMetadataError, parseMetadata, type Envelope } from './tuf-metadata.js';
import type { MetadataStore } from './metadata-store.js';

/** The publication on disk: what the next one must be newer than. */
export type PublishedState = {
  root?: Envelope<'root'>;
  targets?: Envelope<'targets'>;
  snapshot?: Envelope<'snapshot'>;
  timestamp?: Envelope<'timestamp'>;
  snapshotBytes?: Buffer;
};

/**
 * Reads the current publication back. Our own files are parsed like any input: a folder someone edited by
 * hand surfaces as an error here, not as metadata the server signs over.
 */
export async function readPublished(store: MetadataStore): Promise<PublishedState> {
  const state: PublishedState = {};
  const rootBytes = await store.read('root.json');
  if (rootBytes) state.root = parseMetadata('root', rootBytes);
  const targets = await store.read('targets.json');
  if (targets) state.targets = parseMetadata('targets', targets);
  const snapshot = await store.read('snapshot.json');
  if (snapshot) {
    state.snapshot = parseMetadata('snapshot', snapshot);
    state.snapshotBytes = snapshot;
  }
  const timestamp = await store.read('timestamp.json');
  if (timestamp) state.timestamp = parseMetadata('timestamp', timestamp);
  return state;
}

export function requireRoot(state: PublishedState): Envelope<'root'> {
  if (!state.root) throw new TufMetadataError('version', 'no root metadata has been imported yet');
  return state.root;
}
