import { TufMetadataError, type Envelope } from './tuf-metadata.js';

/** The current publication: what the next one must be newer than. */
export type PublishedState = {
  root?: Envelope<'root'>;
  targets?: Envelope<'targets'>;
  snapshot?: Envelope<'snapshot'>;
  timestamp?: Envelope<'timestamp'>;
  snapshotBytes?: Buffer;
};

export function requireRoot(state: PublishedState): Envelope<'root'> {
  if (!state.root) throw new TufMetadataError('version', 'no root metadata has been imported yet');
  return state.root;
}
