import type { PlatformConfig } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { loadFilesConfig } from './files.config.js';
import { FilesSweepService } from './files-sweep.service.js';

const platform = (eventBusMode: PlatformConfig['eventBusMode']) =>
  ({ dataDir: '/var/lib/pakawaaz', eventBusMode }) as PlatformConfig;

/** Warnings the sweep logs at start, for a config. */
function startWarnings(config: ReturnType<typeof loadFilesConfig>): string[] {
  const warned: string[] = [];
  const logger = { warn: (_o: unknown, m: string) => void warned.push(m) };
  const sweep = new FilesSweepService({ config } as never, {} as never, logger as never);
  sweep.onApplicationBootstrap();
  void sweep.onApplicationShutdown();
  return warned;
}

describe('chat attachments in cluster mode', () => {
  it('warns at start when NATS is on and the files folder is the default under this node’s data folder', () => {
    const clustered = loadFilesConfig({}, platform('nats'));
    expect(clustered).toMatchObject({ dir: '/var/lib/pakawaaz/chat-files', unsharedInCluster: true });
    expect(startWarnings(clustered)).toEqual([expect.stringMatching(/PAKAWAAZ_CHAT_FILES_DIR/)]);
  });

  it('says nothing with a folder named, or on one node', () => {
    const shared = loadFilesConfig({ PAKAWAAZ_CHAT_FILES_DIR: '/srv/shared/chat-files' }, platform('nats'));
    expect(startWarnings(shared)).toEqual([]);
    expect(startWarnings(loadFilesConfig({}, platform('in-process')))).toEqual([]);
  });
});

describe('what one uploader may hold and create', () => {
  it('defaults to 32 uploads in progress and 30 creations a minute; both can be set, never to 0', () => {
    expect(loadFilesConfig({}, platform('in-process'))).toMatchObject({
      maxUploadsInProgress: 32,
      createsPerMinute: 30,
    });
    const set = { PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS: '8', PAKAWAAZ_CHAT_FILE_CREATES_PER_MINUTE: '120' };
    expect(loadFilesConfig(set, platform('in-process'))).toMatchObject({
      maxUploadsInProgress: 8,
      createsPerMinute: 120,
    });
    expect(() =>
      loadFilesConfig({ PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS: '0' }, platform('in-process')),
    ).toThrow(/PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS/);
  });
});
